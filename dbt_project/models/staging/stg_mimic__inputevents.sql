-- One row per ICU input event (an infusion or bolus segment: orderid, starttime): raw icu.inputevents, typed and selected by read_mimic; MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic('inputevents') }}

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        starttime,
        endtime,
        storetime,
        itemid,
        amount,
        amountuom,
        rate,
        rateuom,
        orderid,
        linkorderid,
        ordercategoryname,
        ordercategorydescription,
        patientweight,
        totalamount,
        totalamountuom,
        statusdescription,
        originalamount,
        originalrate,
    from source

)

select * from final
