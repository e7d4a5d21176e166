with

labevents as (
    select * from {{ ref('stg_mimic__labevents') }}
),

cbc_itemids as (
    select * from {{ ref('score_itemids') }}
    where concept = 'complete_blood_count'
),

cbc_events as (
    select
        labevents.subject_id,
        labevents.hadm_id,
        labevents.specimen_id,
        labevents.charttime,
        labevents.valuenum,
        cbc_itemids.measurement,
    from labevents
    inner join cbc_itemids
        on labevents.itemid = cbc_itemids.itemid
    where labevents.valuenum > 0
),

final as (
    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        max(case when measurement = 'hematocrit' then valuenum end) as hematocrit,
        max(case when measurement = 'hemoglobin' then valuenum end) as hemoglobin,
        max(case when measurement = 'mch' then valuenum end) as mch,
        max(case when measurement = 'mchc' then valuenum end) as mchc,
        max(case when measurement = 'mcv' then valuenum end) as mcv,
        max(case when measurement = 'platelet' then valuenum end) as platelet,
        max(case when measurement = 'rbc' then valuenum end) as rbc,
        max(case when measurement = 'rdw' then valuenum end) as rdw,
        max(case when measurement = 'rdwsd' then valuenum end) as rdwsd,
        max(case when measurement = 'wbc' then valuenum end) as wbc,
    from cbc_events
    group by specimen_id
)

select * from final
