-- One row per ICU stay: icustays joined to its admission and patient, with age at admission.
-- Age follows mimic-code (anchor_age + year(admittime) - anchor_year: a calendar-year difference,
-- not birthday-exact; anchor_age is capped at 91 in MIMIC-IV).
with icustays as (

    select * from {{ ref('stg_mimic__icustays') }}

),

admissions as (

    select * from {{ ref('stg_mimic__admissions') }}

),

patients as (

    select * from {{ ref('stg_mimic__patients') }}

),

joined as (

    select
        icustays.subject_id,
        icustays.hadm_id,
        icustays.stay_id,
        icustays.intime,
        icustays.outtime,
        icustays.first_careunit,
        icustays.last_careunit,
        icustays.los as los_icu_days,
        admissions.admittime,
        admissions.dischtime,
        admissions.deathtime,
        admissions.admission_type,
        admissions.admission_location,
        admissions.discharge_location,
        admissions.insurance,
        admissions.language,
        admissions.marital_status,
        admissions.race,
        admissions.hospital_expire_flag,
        patients.gender,
        patients.anchor_age,
        patients.anchor_year,
        patients.anchor_year_group,
        patients.dod,
        patients.anchor_age + year(admissions.admittime) - patients.anchor_year as age,
        row_number() over (
            partition by icustays.subject_id
            order by icustays.intime, icustays.stay_id
        ) as icustay_seq,
    from icustays
    left join admissions
        on icustays.hadm_id = admissions.hadm_id
    left join patients
        on icustays.subject_id = patients.subject_id

),

final as (

    select * from joined

)

select * from final
