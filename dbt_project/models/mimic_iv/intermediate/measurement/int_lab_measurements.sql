-- One row per labevents row of the five lab panels (chemistry, complete blood
-- count, enzyme, coagulation, blood gas), with its concept and measurement: the
-- one place the panels read labevents from. Rows are as charted: each panel
-- applies its own value rules (> 0, upper limits) when it pivots.
-- A view: staging is already Parquet filtered to the score itemids, so a table
-- here would copy most of labevents (158 M rows in MIMIC-IV v3.1) once more.
{{ config(materialized='view') }}
with labevents as (

    select * from {{ ref('stg_mimic__labevents') }}

),

lab_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept in ('chemistry', 'complete_blood_count', 'enzyme', 'coagulation', 'blood_gas')

),

final as (

    select
        labevents.labevent_id,
        labevents.subject_id,
        labevents.hadm_id,
        labevents.specimen_id,
        labevents.charttime,
        labevents.itemid,
        lab_itemids.concept,
        lab_itemids.measurement,
        labevents.value,
        labevents.valuenum,
        labevents.valueuom,
    from labevents
    inner join lab_itemids
        on labevents.itemid = lab_itemids.itemid

)

select * from final
