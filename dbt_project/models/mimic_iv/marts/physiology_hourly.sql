{{ config(
    materialized='parquet_mart',
    enabled=var('source', 'mimic_iv') == 'mimic_iv',
    persist_docs={'relation': true, 'columns': true},
) }}
-- One row per cohort stay per hour hr 0..47 (hour h = [intime + h h, intime + (h + 1) h), as
-- vis_hourly): the PhysioNet 2012 hourly_measurements columns, same names, units and order (seed
-- p12_parameters, time-series rows by channel_order). Each column is the hourly mean of its valid
-- values (int_physiology_measurements, dq_status ok), NULL where unmeasured; urine_ml is the hourly
-- sum of the charted net urine volumes; mech_vent_flag is 1 in hours overlapping an invasive
-- ventilation episode (int_ventilation), else 0.
{%- set channels = [
    'alp_iu_l',
    'alt_iu_l',
    'ast_iu_l',
    'albumin_g_dl',
    'bun_mg_dl',
    'bilirubin_mg_dl',
    'cholesterol_mg_dl',
    'creatinine_mg_dl',
    'dias_abp_mmhg',
    'fio2_fraction',
    'gcs_score',
    'glucose_mg_dl',
    'hco3_mmol_l',
    'hct_pct',
    'heart_rate_bpm',
    'potassium_meq_l',
    'lactate_mmol_l',
    'map_mmhg',
    'mech_vent_flag',
    'magnesium_mmol_l',
    'ni_dias_abp_mmhg',
    'ni_map_mmhg',
    'ni_sys_abp_mmhg',
    'sodium_meq_l',
    'paco2_mmhg',
    'pao2_mmhg',
    'platelets_k_ul',
    'resp_rate_per_min',
    'sao2_pct',
    'sys_abp_mmhg',
    'temp_c',
    'troponin_i_ug_l',
    'troponin_t_ug_l',
    'urine_ml',
    'wbc_k_ul',
    'weight_kg',
    'ph',
] %}
{%- set summed = ['urine_ml'] %}
with cohort as (

    select * from {{ cohort_steps_model() }}
    where in_cohort

),

measurements as (

    select * from {{ ref('int_physiology_measurements') }}
    where dq_status = 'ok'

),

ventilation as (

    select * from {{ ref('int_ventilation') }}
    where ventilation_status = 'InvasiveVent'

),

spine as (

    select
        cohort.stay_id,
        cohort.intime,
        unnest(range(0, 48)) as hr,
    from cohort

),

hourly as (

    select
        stay_id,
        hr,
        {%- for channel in channels if channel != 'mech_vent_flag' %}
        {%- if channel in summed %}
        sum(value) filter (where column_name = '{{ channel }}') as {{ channel }},
        {%- else %}
        avg(value) filter (where column_name = '{{ channel }}') as {{ channel }},
        {%- endif %}
        {%- endfor %}
    from measurements
    group by stay_id, hr

),

ventilated_hours as (

    -- hours overlapping an invasive ventilation episode (starttime < hour end and endtime > hour start)
    select distinct
        spine.stay_id,
        spine.hr,
    from spine
    inner join ventilation
        on spine.stay_id = ventilation.stay_id
        and ventilation.starttime < spine.intime + to_hours(spine.hr + 1)
        and ventilation.endtime > spine.intime + to_hours(spine.hr)

),

final as (

    select
        spine.stay_id,
        cast(spine.hr as integer) as hr,
        {%- for channel in channels %}
        {%- if channel == 'mech_vent_flag' %}
        cast(ventilated_hours.stay_id is not null as double) as mech_vent_flag,
        {%- else %}
        hourly.{{ channel }},
        {%- endif %}
        {%- endfor %}
    from spine
    left join hourly
        on spine.stay_id = hourly.stay_id
        and spine.hr = hourly.hr
    left join ventilated_hours
        on spine.stay_id = ventilated_hours.stay_id
        and spine.hr = ventilated_hours.hr

)

select * from final order by stay_id, hr
