-- One row per ICU input event (an infusion or bolus segment: orderid, starttime): raw icu.inputevents, typed
-- and selected by read_mimic, only the itemids a concept reads (macros/staged_itemids.sql); MIMIC-IV column
-- names kept.
-- depends_on: {{ ref('score_itemids') }} {{ ref('vis_agents') }} {{ ref('physiology_itemids') }}
with source as (

    select * from {{ read_mimic(source('mimic_iv', 'inputevents')) }}
    where {{ staged_itemid_filter() }}

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
