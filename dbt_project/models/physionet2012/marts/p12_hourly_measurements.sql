{{ config(alias='hourly_measurements') }}
-- One row per cohort record per hour hr 0..vis_window_hours - 1 since ICU admission: one column per time-series
-- variable (unit in the name), the hourly mean of its valid values, NULL where unmeasured (0 for
-- the zero-filled channel mech_vent_flag: charted only while ventilated).
-- Hour h covers minutes [h*60, (h+1)*60); 48:00 is folded into hour 47 (int_p12__hourly_long).
-- The column list mirrors the time-series rows of seed p12_parameters in channel_order (checked
-- against series_channels by tests/test_physionet2012_dbt.py).
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
{#- fill_policy zero in seed p12_parameters: MechVent is charted only while ventilated, so an hour
    without it is 0 (off), filled here so the mart says so; the other channels stay NULL -#}
{%- set zero_filled = ['mech_vent_flag'] %}
with cohort as (

    select * from {{ ref('int_p12__record_steps') }}
    where in_cohort

),

hourly as (

    select * from {{ ref('int_p12__hourly_long') }}

),

spine as (

    select
        cohort.record_id,
        hours.hr,
    from cohort
    cross join range({{ var('vis_window_hours') }}) as hours (hr)

),

final as (

    select
        spine.record_id as stay_id,
        cast(spine.hr as integer) as hr,
        {%- for channel in channels %}
        {%- if channel in zero_filled %}
        coalesce(max(hourly.value_mean) filter (where hourly.column_name = '{{ channel }}'), 0) as {{ channel }},
        {%- else %}
        max(hourly.value_mean) filter (where hourly.column_name = '{{ channel }}') as {{ channel }},
        {%- endif %}
        {%- endfor %}
    from spine
    left join hourly
        on spine.record_id = hourly.record_id
        and spine.hr = hourly.hr
    group by spine.record_id, spine.hr

)

select * from final order by stay_id, hr
