-- Hourly SOFA (Vincent 1996) on the heart-rate time grid. Each measurement is
-- assigned to the hour (endtime - 1 h, endtime] that contains it, by equality
-- on the hour end (see hour_ceiling), so no range joins over long stays.
-- A component is NULL for an hour without data; *_24hours is the worst of
-- the current and 23 preceding hours (NULL -> 0) and sofa_24hours their sum.
-- Labs join on hadm_id, blood gases on subject_id (mimic-code).
with icustay_hourly as (

    select * from {{ ref('int_icustay_hourly') }}

),

icustays as (

    select * from {{ ref('stg_mimic__icustays') }}

),

blood_gas as (

    select * from {{ ref('int_blood_gas') }}

),

ventilation as (

    select * from {{ ref('int_ventilation') }}

),

vitalsign as (

    select * from {{ ref('int_vitalsign') }}

),

gcs as (

    select * from {{ ref('int_gcs') }}

),

enzyme as (

    select * from {{ ref('int_enzyme') }}

),

chemistry as (

    select * from {{ ref('int_chemistry') }}

),

complete_blood_count as (

    select * from {{ ref('int_complete_blood_count') }}

),

urine_output_rate as (

    select * from {{ ref('int_urine_output_rate') }}

),

vasopressor_infusions as (

    select * from {{ ref('int_sofa_vasopressor_infusions') }}

),

hours as (

    select
        icustay_hourly.stay_id,
        icustays.hadm_id,
        icustay_hourly.hr,
        icustay_hourly.endtime - interval 1 hour as starttime,
        icustay_hourly.endtime,
    from icustay_hourly
    inner join icustays
        on icustay_hourly.stay_id = icustays.stay_id

),

arterial_pafi as (

    -- a gas counts as "ventilated" inside an invasive ventilation episode
    select
        icustays.stay_id,
        blood_gas.charttime,
        blood_gas.pao2fio2ratio,
        ventilation.stay_id is not null as is_ventilated,
    from icustays
    inner join blood_gas
        on icustays.subject_id = blood_gas.subject_id
    left join ventilation
        on icustays.stay_id = ventilation.stay_id
        and blood_gas.charttime >= ventilation.starttime
        and blood_gas.charttime <= ventilation.endtime
        and ventilation.ventilation_status = 'InvasiveVent'
    where blood_gas.specimen = 'ART.'

),

pafi_by_hour as (

    select
        stay_id,
        {{ hour_ceiling('charttime') }} as endtime,
        min(case when not is_ventilated then pao2fio2ratio end) as pao2fio2ratio_novent,
        min(case when is_ventilated then pao2fio2ratio end) as pao2fio2ratio_vent,
    from arterial_pafi
    group by all

),

mbp_by_hour as (

    select
        stay_id,
        {{ hour_ceiling('charttime') }} as endtime,
        min(mbp) as meanbp_min,
    from vitalsign
    group by all

),

gcs_by_hour as (

    select
        stay_id,
        {{ hour_ceiling('charttime') }} as endtime,
        min(gcs) as gcs_min,
    from gcs
    group by all

),

bilirubin_by_hour as (

    select
        hadm_id,
        {{ hour_ceiling('charttime') }} as endtime,
        max(bilirubin_total) as bilirubin_max,
    from enzyme
    group by all

),

creatinine_by_hour as (

    select
        hadm_id,
        {{ hour_ceiling('charttime') }} as endtime,
        max(creatinine) as creatinine_max,
    from chemistry
    group by all

),

platelet_by_hour as (

    select
        hadm_id,
        {{ hour_ceiling('charttime') }} as endtime,
        min(platelet) as platelet_min,
    from complete_blood_count
    group by all

),

urine_by_hour as (

    -- 24 h volume scaled to 24 h, only when the charted volumes cover 22-30 h
    select
        stay_id,
        {{ hour_ceiling('charttime') }} as endtime,
        max(case
            when uo_tm_24hr >= 22 and uo_tm_24hr <= 30
                then urine_output_24hr_ml / uo_tm_24hr * 24
        end) as uo_24hr,
    from urine_output_rate
    group by all

),

grid_bounds as (

    select
        stay_id,
        min(endtime) as first_endtime,
        max(endtime) as last_endtime,
    from icustay_hourly
    group by stay_id

),

vasopressor_hours as (

    -- an infusion counts for every hour whose end falls in (starttime, endtime];
    -- clipped to the stay's grid so a mis-charted endtime cannot explode the expansion
    select
        vasopressor_infusions.stay_id,
        vasopressor_infusions.vasopressor,
        vasopressor_infusions.rate_mcg_kg_min,
        unnest(generate_series(
            greatest(
                date_trunc('hour', vasopressor_infusions.starttime) + interval 1 hour,
                grid_bounds.first_endtime
            ),
            least(date_trunc('hour', vasopressor_infusions.endtime), grid_bounds.last_endtime),
            interval 1 hour
        )) as endtime,
    from vasopressor_infusions
    inner join grid_bounds
        on vasopressor_infusions.stay_id = grid_bounds.stay_id
    where vasopressor_infusions.endtime > vasopressor_infusions.starttime

),

vasopressor_by_hour as (

    select
        stay_id,
        endtime,
        max(case when vasopressor = 'epinephrine' then rate_mcg_kg_min end) as rate_epinephrine,
        max(case when vasopressor = 'norepinephrine' then rate_mcg_kg_min end) as rate_norepinephrine,
        max(case when vasopressor = 'dopamine' then rate_mcg_kg_min end) as rate_dopamine,
        max(case when vasopressor = 'dobutamine' then rate_mcg_kg_min end) as rate_dobutamine,
    from vasopressor_hours
    group by all

),

hourly_inputs as (

    select
        hours.stay_id,
        hours.hr,
        hours.starttime,
        hours.endtime,
        pafi_by_hour.pao2fio2ratio_novent,
        pafi_by_hour.pao2fio2ratio_vent,
        vasopressor_by_hour.rate_epinephrine,
        vasopressor_by_hour.rate_norepinephrine,
        vasopressor_by_hour.rate_dopamine,
        vasopressor_by_hour.rate_dobutamine,
        mbp_by_hour.meanbp_min,
        gcs_by_hour.gcs_min,
        urine_by_hour.uo_24hr,
        bilirubin_by_hour.bilirubin_max,
        creatinine_by_hour.creatinine_max,
        platelet_by_hour.platelet_min,
    from hours
    left join pafi_by_hour
        on hours.stay_id = pafi_by_hour.stay_id
        and hours.endtime = pafi_by_hour.endtime
    left join vasopressor_by_hour
        on hours.stay_id = vasopressor_by_hour.stay_id
        and hours.endtime = vasopressor_by_hour.endtime
    left join mbp_by_hour
        on hours.stay_id = mbp_by_hour.stay_id
        and hours.endtime = mbp_by_hour.endtime
    left join gcs_by_hour
        on hours.stay_id = gcs_by_hour.stay_id
        and hours.endtime = gcs_by_hour.endtime
    left join urine_by_hour
        on hours.stay_id = urine_by_hour.stay_id
        and hours.endtime = urine_by_hour.endtime
    left join bilirubin_by_hour
        on hours.hadm_id = bilirubin_by_hour.hadm_id
        and hours.endtime = bilirubin_by_hour.endtime
    left join creatinine_by_hour
        on hours.hadm_id = creatinine_by_hour.hadm_id
        and hours.endtime = creatinine_by_hour.endtime
    left join platelet_by_hour
        on hours.hadm_id = platelet_by_hour.hadm_id
        and hours.endtime = platelet_by_hour.endtime

),

hourly_points as (

    select
        *,
        {{ sofa_respiration_points('pao2fio2ratio_vent', 'pao2fio2ratio_novent', include_ventilated_300_400=true) }}
            as respiration,
        {{ sofa_coagulation_points('platelet_min') }} as coagulation,
        {{ sofa_liver_points('bilirubin_max') }} as liver,
        {{ sofa_cardiovascular_points(
            'rate_dopamine', 'rate_dobutamine', 'rate_epinephrine', 'rate_norepinephrine', 'meanbp_min'
        ) }} as cardiovascular,
        {{ sofa_cns_points('gcs_min') }} as cns,
        {{ sofa_renal_points('creatinine_max', 'uo_24hr') }} as renal,
    from hourly_inputs

),

rolling_worst as (

    select
        *,
        coalesce(max(respiration) over last_24h, 0) as respiration_24hours,
        coalesce(max(coagulation) over last_24h, 0) as coagulation_24hours,
        coalesce(max(liver) over last_24h, 0) as liver_24hours,
        coalesce(max(cardiovascular) over last_24h, 0) as cardiovascular_24hours,
        coalesce(max(cns) over last_24h, 0) as cns_24hours,
        coalesce(max(renal) over last_24h, 0) as renal_24hours,
    from hourly_points
    window last_24h as (
        partition by stay_id order by hr
        rows between 23 preceding and current row
    )

),

final as (

    select
        *,
        respiration_24hours
            + coagulation_24hours
            + liver_24hours
            + cardiovascular_24hours
            + cns_24hours
            + renal_24hours as sofa_24hours,
    from rolling_worst
    -- hours before the first heart rate only feed the rolling window
    where hr >= 0

)

select * from final
