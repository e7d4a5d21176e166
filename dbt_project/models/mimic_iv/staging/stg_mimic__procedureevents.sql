-- One row per ICU procedure event (orderid): raw icu.procedureevents, typed and selected by read_mimic;
-- MIMIC-IV column names kept.
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'procedureevents')) }}

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
        value,
        valueuom,
        location,
        locationcategory,
        orderid,
        linkorderid,
        ordercategoryname,
        ordercategorydescription,
        patientweight,
        statusdescription,
        originalamount,
        originalrate,
    from source

)

select * from final
