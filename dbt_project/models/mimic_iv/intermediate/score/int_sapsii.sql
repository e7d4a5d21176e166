-- SAPS II (Le Gall 1993) over (intime, intime + 24 h], with its own windows
-- (not the first_day_* helpers): vitals and labs joined on subject_id, GCS
-- and urine on stay_id. PaO2/FiO2 scores only for arterial gases taken while
-- invasively ventilated or inside a CPAP/BiPAP interval of the patient (first
-- such device charting of a stay - 1 h to last + 4 h, clipped to that stay's
-- window; matched by subject_id as in mimic-code).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

oxygen_device_chartings as (

    select * from {{ ref('int_oxygen_device_chartings') }}

),

services as (

    select * from {{ ref('stg_mimic__services') }}

),

diagnoses_icd as (

    select * from {{ ref('stg_mimic__diagnoses_icd') }}

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

urine_output as (

    select * from {{ ref('int_urine_output') }}

),

chemistry as (

    select * from {{ ref('int_chemistry') }}

),

complete_blood_count as (

    select * from {{ ref('int_complete_blood_count') }}

),

enzyme as (

    select * from {{ ref('int_enzyme') }}

),

windows as (

    select
        subject_id,
        hadm_id,
        stay_id,
        age,
        admission_type,
        intime as starttime,
        intime + interval 24 hour as endtime,
    from icu_stays

),

cpap as (

    select
        windows.subject_id,
        windows.stay_id,
        greatest(min(oxygen_device_chartings.charttime - interval 1 hour), windows.starttime) as starttime,
        least(max(oxygen_device_chartings.charttime + interval 4 hour), windows.endtime) as endtime,
    from windows
    inner join oxygen_device_chartings
        on windows.stay_id = oxygen_device_chartings.stay_id
        and oxygen_device_chartings.charttime > windows.starttime
        and oxygen_device_chartings.charttime <= windows.endtime
    where regexp_matches(lower(oxygen_device_chartings.value), 'cpap mask|bipap')
    group by windows.subject_id, windows.stay_id, windows.starttime, windows.endtime

),

first_service_surgical as (

    -- the admission's first service decides surgical vs medical
    select
        hadm_id,
        arg_min(
            case when lower(curr_service) like '%surg%' then 1 else 0 end,
            transfertime
        ) as is_surgical,
    from services
    group by hadm_id

),

comorbidity as (

    select
        hadm_id,
        max(case
            when icd_version = 9 and substr(icd_code, 1, 3) between '042' and '044' then 1
            when icd_version = 10 and substr(icd_code, 1, 3) between 'B20' and 'B22' then 1
            when icd_version = 10 and substr(icd_code, 1, 3) = 'B24' then 1
            else 0
        end) as has_aids,
        max(case
            when icd_version = 9 and (
                substr(icd_code, 1, 5) between '20000' and '20238'
                or substr(icd_code, 1, 5) between '20240' and '20248'
                or substr(icd_code, 1, 5) between '20250' and '20302'
                or substr(icd_code, 1, 5) between '20310' and '20312'
                or substr(icd_code, 1, 5) between '20302' and '20382'
                or substr(icd_code, 1, 5) between '20400' and '20522'
                or substr(icd_code, 1, 5) between '20580' and '20702'
                or substr(icd_code, 1, 5) between '20720' and '20892'
                or substr(icd_code, 1, 4) in ('2386', '2733')
            ) then 1
            when icd_version = 10 and substr(icd_code, 1, 3) between 'C81' and 'C96' then 1
            else 0
        end) as has_hematologic_malignancy,
        max(case
            when icd_version = 9 and (
                substr(icd_code, 1, 4) between '1960' and '1991'
                or substr(icd_code, 1, 5) between '20970' and '20975'
                or substr(icd_code, 1, 5) in ('20979', '78951')
            ) then 1
            when icd_version = 10 and substr(icd_code, 1, 3) between 'C77' and 'C79' then 1
            when icd_version = 10 and substr(icd_code, 1, 4) = 'C800' then 1
            else 0
        end) as has_metastatic_cancer,
    from diagnoses_icd
    group by hadm_id

),

ventilated_pafi as (

    select
        windows.stay_id,
        min(blood_gas.pao2fio2ratio) as pao2fio2_vent_min,
    from windows
    inner join blood_gas
        on windows.subject_id = blood_gas.subject_id
        and blood_gas.specimen = 'ART.'
        and blood_gas.charttime > windows.starttime
        and blood_gas.charttime <= windows.endtime
    left join ventilation
        on windows.stay_id = ventilation.stay_id
        and blood_gas.charttime > ventilation.starttime
        and blood_gas.charttime <= ventilation.endtime
        and ventilation.ventilation_status = 'InvasiveVent'
    left join cpap
        -- by patient, as mimic-code: the CPAP interval of an earlier stay can cover a gas of the next
        on windows.subject_id = cpap.subject_id
        and blood_gas.charttime > cpap.starttime
        and blood_gas.charttime <= cpap.endtime
    where ventilation.stay_id is not null
        or cpap.stay_id is not null
    group by windows.stay_id

),

gcs_day1 as (

    select
        windows.stay_id,
        min(gcs.gcs) as gcs_min,
    from windows
    inner join gcs
        on windows.stay_id = gcs.stay_id
        and gcs.charttime > windows.starttime
        and gcs.charttime <= windows.endtime
    group by windows.stay_id

),

vitals_day1 as (

    select
        windows.stay_id,
        min(vitalsign.heart_rate) as heart_rate_min,
        max(vitalsign.heart_rate) as heart_rate_max,
        min(vitalsign.sbp) as sbp_min,
        max(vitalsign.sbp) as sbp_max,
        min(vitalsign.temperature_c) as temperature_c_min,
        max(vitalsign.temperature_c) as temperature_c_max,
    from windows
    inner join vitalsign
        on windows.subject_id = vitalsign.subject_id
        and vitalsign.charttime > windows.starttime
        and vitalsign.charttime <= windows.endtime
    group by windows.stay_id

),

urine_day1 as (

    select
        windows.stay_id,
        sum(urine_output.urine_output_ml) as urine_output_ml,
    from windows
    inner join urine_output
        on windows.stay_id = urine_output.stay_id
        and urine_output.charttime > windows.starttime
        and urine_output.charttime <= windows.endtime
    group by windows.stay_id

),

chemistry_day1 as (

    select
        windows.stay_id,
        max(chemistry.bun) as bun_max,
        min(chemistry.potassium) as potassium_min,
        max(chemistry.potassium) as potassium_max,
        min(chemistry.sodium) as sodium_min,
        max(chemistry.sodium) as sodium_max,
        min(chemistry.bicarbonate) as bicarbonate_min,
        max(chemistry.bicarbonate) as bicarbonate_max,
    from windows
    inner join chemistry
        on windows.subject_id = chemistry.subject_id
        and chemistry.charttime > windows.starttime
        and chemistry.charttime <= windows.endtime
    group by windows.stay_id

),

cbc_day1 as (

    select
        windows.stay_id,
        min(complete_blood_count.wbc) as wbc_min,
        max(complete_blood_count.wbc) as wbc_max,
    from windows
    inner join complete_blood_count
        on windows.subject_id = complete_blood_count.subject_id
        and complete_blood_count.charttime > windows.starttime
        and complete_blood_count.charttime <= windows.endtime
    group by windows.stay_id

),

enzyme_day1 as (

    select
        windows.stay_id,
        max(enzyme.bilirubin_total) as bilirubin_max,
    from windows
    inner join enzyme
        on windows.subject_id = enzyme.subject_id
        and enzyme.charttime > windows.starttime
        and enzyme.charttime <= windows.endtime
    group by windows.stay_id

),

inputs as (

    select
        windows.subject_id,
        windows.hadm_id,
        windows.stay_id,
        windows.starttime,
        windows.endtime,
        windows.age,
        vitals_day1.heart_rate_min,
        vitals_day1.heart_rate_max,
        vitals_day1.sbp_min,
        vitals_day1.sbp_max,
        vitals_day1.temperature_c_min,
        vitals_day1.temperature_c_max,
        ventilated_pafi.pao2fio2_vent_min,
        urine_day1.urine_output_ml,
        chemistry_day1.bun_max,
        cbc_day1.wbc_min,
        cbc_day1.wbc_max,
        chemistry_day1.potassium_min,
        chemistry_day1.potassium_max,
        chemistry_day1.sodium_min,
        chemistry_day1.sodium_max,
        chemistry_day1.bicarbonate_min,
        chemistry_day1.bicarbonate_max,
        enzyme_day1.bilirubin_max,
        gcs_day1.gcs_min,
        comorbidity.has_aids,
        comorbidity.has_hematologic_malignancy,
        comorbidity.has_metastatic_cancer,
        case
            when windows.admission_type = 'ELECTIVE' and first_service_surgical.is_surgical = 1
                then 'ScheduledSurgical'
            when windows.admission_type != 'ELECTIVE' and first_service_surgical.is_surgical = 1
                then 'UnscheduledSurgical'
            else 'Medical'
        end as admission_category,
    from windows
    left join vitals_day1 on windows.stay_id = vitals_day1.stay_id
    left join ventilated_pafi on windows.stay_id = ventilated_pafi.stay_id
    left join urine_day1 on windows.stay_id = urine_day1.stay_id
    left join chemistry_day1 on windows.stay_id = chemistry_day1.stay_id
    left join cbc_day1 on windows.stay_id = cbc_day1.stay_id
    left join enzyme_day1 on windows.stay_id = enzyme_day1.stay_id
    left join gcs_day1 on windows.stay_id = gcs_day1.stay_id
    left join comorbidity on windows.hadm_id = comorbidity.hadm_id
    left join first_service_surgical on windows.hadm_id = first_service_surgical.hadm_id

),

points as (

    select
        *,
        case
            when age < 40 then 0
            when age < 60 then 7
            when age < 70 then 12
            when age < 75 then 15
            when age < 80 then 16
            when age >= 80 then 18
        end as sapsii_age,
        case
            when heart_rate_min < 40 then 11
            when heart_rate_max >= 160 then 7
            when heart_rate_max >= 120 then 4
            when heart_rate_min < 70 then 2
            when heart_rate_max >= 70 and heart_rate_max < 120
                and heart_rate_min >= 70 and heart_rate_min < 120 then 0
        end as sapsii_hr,
        case
            when sbp_min < 70 then 13
            when sbp_min < 100 then 5
            when sbp_max >= 200 then 2
            when sbp_max >= 100 and sbp_max < 200
                and sbp_min >= 100 and sbp_min < 200 then 0
        end as sapsii_sysbp,
        case
            when temperature_c_max >= 39.0 then 3
            when temperature_c_min < 39.0 then 0
        end as sapsii_temp,
        case
            when pao2fio2_vent_min < 100 then 11
            when pao2fio2_vent_min < 200 then 9
            when pao2fio2_vent_min >= 200 then 6
        end as sapsii_pao2fio2,
        case
            when urine_output_ml < 500 then 11
            when urine_output_ml < 1000 then 4
            when urine_output_ml >= 1000 then 0
        end as sapsii_uo,
        case
            when bun_max < 28 then 0
            when bun_max < 84 then 6
            when bun_max >= 84 then 10
        end as sapsii_bun,
        case
            when wbc_min < 1.0 then 12
            when wbc_max >= 20.0 then 3
            when wbc_max >= 1.0 and wbc_max < 20.0
                and wbc_min >= 1.0 and wbc_min < 20.0 then 0
        end as sapsii_wbc,
        case
            when potassium_min < 3.0 then 3
            when potassium_max >= 5.0 then 3
            when potassium_max >= 3.0 and potassium_max < 5.0
                and potassium_min >= 3.0 and potassium_min < 5.0 then 0
        end as sapsii_potassium,
        case
            when sodium_min < 125 then 5
            when sodium_max >= 145 then 1
            when sodium_max >= 125 and sodium_max < 145
                and sodium_min >= 125 and sodium_min < 145 then 0
        end as sapsii_sodium,
        case
            when bicarbonate_min < 15.0 then 6
            when bicarbonate_min < 20.0 then 3
            when bicarbonate_max >= 20.0 and bicarbonate_min >= 20.0 then 0
        end as sapsii_bicarbonate,
        case
            when bilirubin_max < 4.0 then 0
            when bilirubin_max < 6.0 then 4
            when bilirubin_max >= 6.0 then 9
        end as sapsii_bilirubin,
        case
            -- GCS < 3 is an impossible / erroneous value: not scored
            when gcs_min < 3 then null
            when gcs_min < 6 then 26
            when gcs_min < 9 then 13
            when gcs_min < 11 then 7
            when gcs_min < 14 then 5
            when gcs_min >= 14 and gcs_min <= 15 then 0
        end as sapsii_gcs,
        case
            when has_aids = 1 then 17
            when has_hematologic_malignancy = 1 then 10
            when has_metastatic_cancer = 1 then 9
            else 0
        end as sapsii_comorbidity,
        case
            when admission_category = 'ScheduledSurgical' then 0
            when admission_category = 'Medical' then 6
            when admission_category = 'UnscheduledSurgical' then 8
        end as sapsii_admissiontype,
    from inputs

),

summed as (

    select
        *,
        coalesce(sapsii_age, 0)
            + coalesce(sapsii_hr, 0)
            + coalesce(sapsii_sysbp, 0)
            + coalesce(sapsii_temp, 0)
            + coalesce(sapsii_pao2fio2, 0)
            + coalesce(sapsii_uo, 0)
            + coalesce(sapsii_bun, 0)
            + coalesce(sapsii_wbc, 0)
            + coalesce(sapsii_potassium, 0)
            + coalesce(sapsii_sodium, 0)
            + coalesce(sapsii_bicarbonate, 0)
            + coalesce(sapsii_bilirubin, 0)
            + coalesce(sapsii_gcs, 0)
            + coalesce(sapsii_comorbidity, 0)
            + coalesce(sapsii_admissiontype, 0) as sapsii,
    from points

),

final as (

    select
        subject_id,
        hadm_id,
        stay_id,
        starttime,
        endtime,
        sapsii,
        1 / (1 + exp(-(-7.7631 + 0.0737 * sapsii + 0.9971 * ln(sapsii + 1)))) as sapsii_prob,
        sapsii_age,
        sapsii_hr,
        sapsii_sysbp,
        sapsii_temp,
        sapsii_pao2fio2,
        sapsii_uo,
        sapsii_bun,
        sapsii_wbc,
        sapsii_potassium,
        sapsii_sodium,
        sapsii_bicarbonate,
        sapsii_bilirubin,
        sapsii_gcs,
        sapsii_comorbidity,
        sapsii_admissiontype,
    from summed

)

select * from final
