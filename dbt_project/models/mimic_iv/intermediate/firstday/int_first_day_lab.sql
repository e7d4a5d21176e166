-- First-day window [intime - 6 h, intime + 24 h]. Labs are matched on
-- subject_id, not hadm_id (mimic-code): a value from an adjacent admission
-- inside the window counts.
with icu_stays as (

    select * from {{ ref('int_icu_stays') }}

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

coagulation as (

    select * from {{ ref('int_coagulation') }}

),

chemistry_first_day as (

    select
        icu_stays.stay_id,
        min(chemistry.bicarbonate) as bicarbonate_min,
        max(chemistry.bicarbonate) as bicarbonate_max,
        min(chemistry.bun) as bun_min,
        max(chemistry.bun) as bun_max,
        min(chemistry.creatinine) as creatinine_min,
        max(chemistry.creatinine) as creatinine_max,
        min(chemistry.sodium) as sodium_min,
        max(chemistry.sodium) as sodium_max,
        min(chemistry.potassium) as potassium_min,
        max(chemistry.potassium) as potassium_max,
    from icu_stays
    inner join chemistry
        on icu_stays.subject_id = chemistry.subject_id
        and chemistry.charttime >= icu_stays.intime - interval 6 hour
        and chemistry.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

cbc_first_day as (

    select
        icu_stays.stay_id,
        min(complete_blood_count.platelet) as platelets_min,
        max(complete_blood_count.platelet) as platelets_max,
        min(complete_blood_count.wbc) as wbc_min,
        max(complete_blood_count.wbc) as wbc_max,
    from icu_stays
    inner join complete_blood_count
        on icu_stays.subject_id = complete_blood_count.subject_id
        and complete_blood_count.charttime >= icu_stays.intime - interval 6 hour
        and complete_blood_count.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

enzyme_first_day as (

    select
        icu_stays.stay_id,
        min(enzyme.bilirubin_total) as bilirubin_total_min,
        max(enzyme.bilirubin_total) as bilirubin_total_max,
    from icu_stays
    inner join enzyme
        on icu_stays.subject_id = enzyme.subject_id
        and enzyme.charttime >= icu_stays.intime - interval 6 hour
        and enzyme.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

coagulation_first_day as (

    select
        icu_stays.stay_id,
        min(coagulation.pt) as pt_min,
        max(coagulation.pt) as pt_max,
        min(coagulation.inr) as inr_min,
        max(coagulation.inr) as inr_max,
    from icu_stays
    inner join coagulation
        on icu_stays.subject_id = coagulation.subject_id
        and coagulation.charttime >= icu_stays.intime - interval 6 hour
        and coagulation.charttime <= icu_stays.intime + interval 1 day
    group by icu_stays.stay_id

),

final as (

    select
        icu_stays.subject_id,
        icu_stays.stay_id,
        chemistry_first_day.* exclude (stay_id),
        cbc_first_day.* exclude (stay_id),
        enzyme_first_day.* exclude (stay_id),
        coagulation_first_day.* exclude (stay_id),
    from icu_stays
    left join chemistry_first_day
        on icu_stays.stay_id = chemistry_first_day.stay_id
    left join cbc_first_day
        on icu_stays.stay_id = cbc_first_day.stay_id
    left join enzyme_first_day
        on icu_stays.stay_id = enzyme_first_day.stay_id
    left join coagulation_first_day
        on icu_stays.stay_id = coagulation_first_day.stay_id

)

select * from final
