-- One row per ICU stay: mortality labels.
-- icu_mortality: admissions.deathtime within [intime, outtime], both ends inclusive (SPEC 2; the
--   mimic-code oasis icustay_expire_flag without its typo guards); NULL when the outcome is unknown
--   (hospital_expire_flag = 1 but no deathtime, mimic-code issue #1406).
-- hospital_mortality: admissions.hospital_expire_flag.
-- mortality_28d: death within 28 days of intime, from deathtime (exact) or patients.dod (a date,
--   so compared by date: dod <= date(intime) + 28 days).
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

final as (

    select
        stay_id,
        subject_id,
        hadm_id,
        case
            when deathtime between intime and outtime then 1
            when outtime is null then null
            when hospital_expire_flag = 1 and deathtime is null then null
            else 0
        end as icu_mortality,
        hospital_expire_flag as hospital_mortality,
        case
            when deathtime <= intime + interval 28 day then 1
            when dod <= cast(intime as date) + interval 28 day then 1
            else 0
        end as mortality_28d,
        outtime is not null
            and not (coalesce(hospital_expire_flag, 0) = 1 and deathtime is null)
            and hospital_expire_flag is not null as is_outcome_known,
    from icu_stays

)

select * from final
