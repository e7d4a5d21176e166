-- OASIS (Johnson 2013) from the first_day_* helpers, plus invasive ventilation
-- overlapping [intime, intime + 24 h] and elective surgery (ELECTIVE admission
-- with a surgical / orthopaedic service before intime + 24 h). Pre-ICU length
-- of stay in minutes from hospital admission (minute boundaries crossed).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

services as (

    select * from {{ ref('stg_mimic__services') }}

),

ventilation as (

    select * from {{ ref('int_ventilation') }}

),

first_day_vitalsign as (

    select * from {{ ref('int_first_day_vitalsign') }}

),

first_day_gcs as (

    select * from {{ ref('int_first_day_gcs') }}

),

first_day_urine_output as (

    select * from {{ ref('int_first_day_urine_output') }}

),

surgical_service as (

    -- a stay without any services row is "not surgical" (0), not unknown
    select
        icu_stays.stay_id,
        max(case
            when lower(services.curr_service) like '%surg%' then 1
            when services.curr_service = 'ORTHO' then 1
            else 0
        end) as is_surgical,
    from icu_stays
    left join services
        on icu_stays.hadm_id = services.hadm_id
        and services.transfertime < icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

invasive_ventilation_day1 as (

    select distinct icu_stays.stay_id
    from icu_stays
    inner join ventilation
        on icu_stays.stay_id = ventilation.stay_id
        and ventilation.ventilation_status = 'InvasiveVent'
        and ventilation.starttime <= icu_stays.intime + interval 1 day
        and ventilation.endtime >= icu_stays.intime

),

inputs as (

    select
        icu_stays.subject_id,
        icu_stays.hadm_id,
        icu_stays.stay_id,
        icu_stays.age,
        -- minute boundaries crossed (mimic-code DATETIME_DIFF), not elapsed minutes
        date_diff('minute', icu_stays.admittime, icu_stays.intime) as preiculos_minutes,
        first_day_gcs.gcs_min as gcs,
        first_day_vitalsign.heart_rate_min,
        first_day_vitalsign.heart_rate_max,
        first_day_vitalsign.mbp_min,
        first_day_vitalsign.mbp_max,
        first_day_vitalsign.resp_rate_min,
        first_day_vitalsign.resp_rate_max,
        first_day_vitalsign.temperature_c_min,
        first_day_vitalsign.temperature_c_max,
        first_day_urine_output.urine_output_ml,
        case when invasive_ventilation_day1.stay_id is not null then 1 else 0 end as mechvent,
        case
            when icu_stays.admission_type = 'ELECTIVE' and surgical_service.is_surgical = 1 then 1
            when icu_stays.admission_type is null or surgical_service.is_surgical is null then null
            else 0
        end as electivesurgery,
    from icu_stays
    left join first_day_gcs on icu_stays.stay_id = first_day_gcs.stay_id
    left join first_day_vitalsign on icu_stays.stay_id = first_day_vitalsign.stay_id
    left join first_day_urine_output on icu_stays.stay_id = first_day_urine_output.stay_id
    left join surgical_service on icu_stays.stay_id = surgical_service.stay_id
    left join invasive_ventilation_day1 on icu_stays.stay_id = invasive_ventilation_day1.stay_id

),

points as (

    select
        *,
        case
            when age is null then null
            when age < 24 then 0
            when age <= 53 then 3
            when age <= 77 then 6
            when age <= 89 then 9
            when age >= 90 then 7
            else 0
        end as oasis_age,
        case
            when preiculos_minutes is null then null
            when preiculos_minutes < 10.2 then 5
            when preiculos_minutes < 297 then 3
            when preiculos_minutes < 1440 then 0
            when preiculos_minutes < 18708 then 2
            else 1
        end as oasis_preiculos,
        case
            when gcs is null then null
            when gcs <= 7 then 10
            when gcs < 14 then 4
            when gcs = 14 then 3
            else 0
        end as oasis_gcs,
        case
            when heart_rate_max is null then null
            when heart_rate_max > 125 then 6
            when heart_rate_min < 33 then 4
            when heart_rate_max >= 107 and heart_rate_max <= 125 then 3
            when heart_rate_max >= 89 and heart_rate_max <= 106 then 1
            else 0
        end as oasis_heartrate,
        case
            when mbp_min is null then null
            when mbp_min < 20.65 then 4
            when mbp_min < 51 then 3
            when mbp_max > 143.44 then 3
            when mbp_min >= 51 and mbp_min < 61.33 then 2
            else 0
        end as oasis_meanbp,
        case
            when resp_rate_min is null then null
            when resp_rate_min < 6 then 10
            when resp_rate_max > 44 then 9
            when resp_rate_max > 30 then 6
            when resp_rate_max > 22 then 1
            when resp_rate_min < 13 then 1
            else 0
        end as oasis_resprate,
        case
            when temperature_c_max is null then null
            when temperature_c_max > 39.88 then 6
            when temperature_c_min >= 33.22 and temperature_c_min <= 35.93 then 4
            when temperature_c_max >= 33.22 and temperature_c_max <= 35.93 then 4
            when temperature_c_min < 33.22 then 3
            when temperature_c_min > 35.93 and temperature_c_min <= 36.39 then 2
            when temperature_c_max >= 36.89 and temperature_c_max <= 39.88 then 2
            else 0
        end as oasis_temp,
        case
            when urine_output_ml is null then null
            when urine_output_ml < 671.09 then 10
            when urine_output_ml > 6896.80 then 8
            when urine_output_ml >= 671.09 and urine_output_ml <= 1426.99 then 5
            when urine_output_ml >= 1427.00 and urine_output_ml <= 2544.14 then 1
            else 0
        end as oasis_urineoutput,
        case when mechvent = 1 then 9 else 0 end as oasis_mechvent,
        case
            when electivesurgery = 1 then 0
            when electivesurgery = 0 then 6
        end as oasis_electivesurgery,
    from inputs

),

summed as (

    select
        *,
        coalesce(oasis_age, 0)
            + coalesce(oasis_preiculos, 0)
            + coalesce(oasis_gcs, 0)
            + coalesce(oasis_heartrate, 0)
            + coalesce(oasis_meanbp, 0)
            + coalesce(oasis_resprate, 0)
            + coalesce(oasis_temp, 0)
            + coalesce(oasis_urineoutput, 0)
            + coalesce(oasis_mechvent, 0)
            + coalesce(oasis_electivesurgery, 0) as oasis,
    from points

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        oasis,
        1 / (1 + exp(-(-6.1746 + 0.1275 * oasis))) as oasis_prob,
        age,
        preiculos_minutes as preiculos,
        gcs,
        heart_rate_max as heartrate,
        mbp_min as meanbp,
        resp_rate_max as resprate,
        temperature_c_max as temp,
        urine_output_ml as urineoutput,
        mechvent,
        electivesurgery,
        oasis_age,
        oasis_preiculos,
        oasis_gcs,
        oasis_heartrate,
        oasis_meanbp,
        oasis_resprate,
        oasis_temp,
        oasis_urineoutput,
        oasis_mechvent,
        oasis_electivesurgery,
    from summed

)

select * from final
