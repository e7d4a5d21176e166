{{ config(materialized='table', enabled=var('source', 'mimic_iv') == 'mimic_iv') }}
-- One row per source value of a physiology_hourly column for a cohort stay within its first 48 h:
-- the hour it falls in, the value in the PhysioNet 2012 unit, and its data-quality status against
-- p12_parameters' plausible range. Nothing is dropped here, so data_quality can count every value.
-- Sources: chart items (seed physiology_itemids) by stay_id; lab items by subject_id (blood gases P12
-- takes from arterial blood only from 'ART.' specimens); gcs_score = the three components charted at
-- one time, summed; urine_ml = net urine per charted time (int_urine_output).
-- Hour h covers [intime + h h, intime + (h + 1) h), h = 0..47 (as vis_hourly); values before intime or
-- from intime + 48 h on are not read.
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

itemids as (

    select * from {{ ref('physiology_itemids') }}

),

parameters as (

    select * from {{ ref('p12_parameters') }}
    where kind = 'timeseries'

),

chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

labevents as (

    select * from {{ ref('stg_mimic__labevents') }}

),

urine_output as (

    select * from {{ ref('int_urine_output') }}

),

specimen_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'blood_gas' and measurement = 'specimen'

),

specimen_types as (

    -- the blood-gas specimen type charted with the same specimen_id ('ART.', 'VEN.', 'MIX.', ...)
    select
        specimen_id,
        min(value) as specimen_type,
    from labevents
    where itemid in (select itemid from specimen_itemids)
    group by specimen_id

),

chart_values as (

    select
        cohort.stay_id,
        cohort.intime,
        chartevents.charttime,
        itemids.column_name,
        'chartevents' as source_table,
        itemids.itemid,
        chartevents.valuenum as value_raw,
        (chartevents.valuenum - itemids.subtract) * itemids.multiply_by / itemids.divide_by as value_converted,
        itemids.conversion_rule,
    from chartevents
    inner join itemids
        on chartevents.itemid = itemids.itemid
        and itemids.source_table = 'chartevents'
    inner join cohort
        on chartevents.stay_id = cohort.stay_id
    where chartevents.charttime >= cohort.intime
        and chartevents.charttime < cohort.intime + interval 48 hour

),

lab_values as (

    -- labs belong to the patient, not the stay: matched by subject_id and time
    select
        cohort.stay_id,
        cohort.intime,
        labevents.charttime,
        itemids.column_name,
        'labevents' as source_table,
        itemids.itemid,
        labevents.valuenum as value_raw,
        (labevents.valuenum - itemids.subtract) * itemids.multiply_by / itemids.divide_by as value_converted,
        itemids.conversion_rule,
        -- P12's PaO2, PaCO2, pH and SaO2 are arterial: other or unknown specimens do not count
        itemids.arterial_only and coalesce(specimen_types.specimen_type, '') <> 'ART.' as is_not_arterial,
    from labevents
    inner join itemids
        on labevents.itemid = itemids.itemid
        and itemids.source_table = 'labevents'
    inner join cohort
        on labevents.subject_id = cohort.subject_id
    left join specimen_types
        on labevents.specimen_id = specimen_types.specimen_id
    where labevents.charttime >= cohort.intime
        and labevents.charttime < cohort.intime + interval 48 hour

),

gcs_values as (

    -- GCS total = eye + verbal + motor charted at the same time; a time missing a component has no total
    select
        stay_id,
        intime,
        charttime,
        'gcs_score' as column_name,
        'chartevents' as source_table,
        cast(null as bigint) as itemid,
        case when count(value_raw) = 3 then sum(value_raw) end as value_raw,
        case when count(value_raw) = 3 then sum(value_converted) end as value_converted,
        cast(null as varchar) as conversion_rule,
        count(value_raw) < 3 as is_incomplete,
    from chart_values
    where column_name = 'gcs_score'
    group by stay_id, intime, charttime

),

urine_values as (

    select
        cohort.stay_id,
        cohort.intime,
        urine_output.charttime,
        'urine_ml' as column_name,
        'outputevents' as source_table,
        cast(null as bigint) as itemid,
        urine_output.urine_output_ml as value_raw,
        urine_output.urine_output_ml as value_converted,
        cast(null as varchar) as conversion_rule,
    from urine_output
    inner join cohort
        on urine_output.stay_id = cohort.stay_id
    where urine_output.charttime >= cohort.intime
        and urine_output.charttime < cohort.intime + interval 48 hour

),

all_values as (

    -- union by name: a flag a branch does not have (is_incomplete, is_not_arterial) is NULL there
    select * from chart_values where column_name <> 'gcs_score'
    union all by name
    select * from gcs_values
    union all by name
    select * from lab_values
    union all by name
    select * from urine_values

),

final as (

    select
        all_values.stay_id,
        cast((epoch_us(all_values.charttime) - epoch_us(all_values.intime)) // 3600000000 as integer) as hr,
        all_values.charttime,
        all_values.column_name,
        all_values.source_table,
        all_values.itemid,
        all_values.value_raw,
        all_values.conversion_rule,
        case
            when all_values.is_incomplete then 'gcs_incomplete'
            when all_values.is_not_arterial then 'not_arterial'
            when all_values.value_converted is null then 'missing_value'
            when all_values.value_converted < parameters.min_value
                or all_values.value_converted > parameters.max_value then 'out_of_range'
            else 'ok'
        end as dq_status,
        case when dq_status = 'ok' then all_values.value_converted end as value,
    from all_values
    left join parameters
        on all_values.column_name = parameters.column_name

)

select * from final
