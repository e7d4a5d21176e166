-- The last attrition step's stays and patients equal the cohort's size, and step 1 counts every ICU stay.
with attrition as (

    select * from {{ ref('cohort_attrition') }}

),

cohort as (

    select * from {{ ref('cohort') }}

),

icu_stays as (

    select * from {{ ref('icu_stays') }}

),

checks as (

    select
        (select n_stays from attrition order by step_order desc limit 1) as last_n_stays,
        (select n_patients from attrition order by step_order desc limit 1) as last_n_patients,
        (select n_stays from attrition order by step_order limit 1) as first_n_stays,
        (select count(*) from cohort) as cohort_stays,
        (select count(distinct subject_id) from cohort) as cohort_patients,
        (select count(*) from icu_stays) as all_stays,

)

select * from checks
where last_n_stays is distinct from cohort_stays
    or last_n_patients is distinct from cohort_patients
    or first_n_stays is distinct from all_stays
