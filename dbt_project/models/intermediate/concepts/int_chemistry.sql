with

labevents as (
    select * from {{ ref('stg_mimic__labevents') }}
),

chemistry_itemids as (
    select * from {{ ref('score_itemids') }}
    where concept = 'chemistry'
),

chemistry_events as (
    select
        labevents.subject_id,
        labevents.hadm_id,
        labevents.specimen_id,
        labevents.charttime,
        labevents.valuenum,
        chemistry_itemids.measurement,
    from labevents
    inner join chemistry_itemids
        on labevents.itemid = chemistry_itemids.itemid
    -- the anion gap may legitimately be <= 0
    where labevents.valuenum is not null
        and (labevents.valuenum > 0 or chemistry_itemids.measurement = 'aniongap')
),

final as (
    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        max(case when measurement = 'albumin' and valuenum <= 10 then valuenum end) as albumin,
        max(case when measurement = 'globulin' and valuenum <= 10 then valuenum end) as globulin,
        max(case when measurement = 'total_protein' and valuenum <= 20 then valuenum end) as total_protein,
        max(case when measurement = 'aniongap' and valuenum <= 10000 then valuenum end) as aniongap,
        max(case when measurement = 'bicarbonate' and valuenum <= 10000 then valuenum end) as bicarbonate,
        max(case when measurement = 'bun' and valuenum <= 300 then valuenum end) as bun,
        max(case when measurement = 'calcium' and valuenum <= 10000 then valuenum end) as calcium,
        max(case when measurement = 'chloride' and valuenum <= 10000 then valuenum end) as chloride,
        max(case when measurement = 'creatinine' and valuenum <= 150 then valuenum end) as creatinine,
        max(case when measurement = 'glucose' and valuenum <= 10000 then valuenum end) as glucose,
        max(case when measurement = 'sodium' and valuenum <= 200 then valuenum end) as sodium,
        max(case when measurement = 'potassium' and valuenum <= 30 then valuenum end) as potassium,
    from chemistry_events
    group by specimen_id
)

select * from final
