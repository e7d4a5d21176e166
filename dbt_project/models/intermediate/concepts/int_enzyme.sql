with

labevents as (
    select * from {{ ref('stg_mimic__labevents') }}
),

enzyme_itemids as (
    select * from {{ ref('score_itemids') }}
    where concept = 'enzyme'
),

enzyme_events as (
    select
        labevents.subject_id,
        labevents.hadm_id,
        labevents.specimen_id,
        labevents.charttime,
        labevents.valuenum,
        enzyme_itemids.measurement,
    from labevents
    inner join enzyme_itemids
        on labevents.itemid = enzyme_itemids.itemid
    where labevents.valuenum > 0
),

final as (
    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        max(case when measurement = 'alt' then valuenum end) as alt,
        max(case when measurement = 'alp' then valuenum end) as alp,
        max(case when measurement = 'ast' then valuenum end) as ast,
        max(case when measurement = 'amylase' then valuenum end) as amylase,
        max(case when measurement = 'bilirubin_total' then valuenum end) as bilirubin_total,
        max(case when measurement = 'bilirubin_direct' then valuenum end) as bilirubin_direct,
        max(case when measurement = 'bilirubin_indirect' then valuenum end) as bilirubin_indirect,
        max(case when measurement = 'ck_cpk' then valuenum end) as ck_cpk,
        max(case when measurement = 'ck_mb' then valuenum end) as ck_mb,
        max(case when measurement = 'ggt' then valuenum end) as ggt,
        max(case when measurement = 'ld_ldh' then valuenum end) as ld_ldh,
    from enzyme_events
    group by specimen_id
)

select * from final
