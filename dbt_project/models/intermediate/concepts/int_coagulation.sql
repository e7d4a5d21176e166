with

labevents as (
    select * from {{ ref('stg_mimic__labevents') }}
),

coagulation_itemids as (
    select * from {{ ref('score_itemids') }}
    where concept = 'coagulation'
),

coagulation_events as (
    select
        labevents.subject_id,
        labevents.hadm_id,
        labevents.specimen_id,
        labevents.charttime,
        labevents.valuenum,
        coagulation_itemids.measurement,
    from labevents
    inner join coagulation_itemids
        on labevents.itemid = coagulation_itemids.itemid
    where labevents.valuenum is not null
),

final as (
    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        max(case when measurement = 'd_dimer' then valuenum end) as d_dimer,
        max(case when measurement = 'fibrinogen' then valuenum end) as fibrinogen,
        max(case when measurement = 'thrombin' then valuenum end) as thrombin,
        max(case when measurement = 'inr' then valuenum end) as inr,
        max(case when measurement = 'pt' then valuenum end) as pt,
        max(case when measurement = 'ptt' then valuenum end) as ptt,
    from coagulation_events
    group by specimen_id
)

select * from final
