-- Antibiotic prescriptions: drug name matches a pattern of the
-- antibiotic_drug_patterns seed; base solutions, eye / ear / topical routes,
-- creams, gels, ophthalmic ointments and desensitisation protocols excluded.
-- Rows with NULL route or drug_type drop out (mimic-code NOT IN semantics).
-- stay_id is set only when the prescription starts inside an ICU stay.
with prescriptions as (

    select * from {{ ref('stg_mimic__prescriptions') }}

),

icustays as (

    select * from {{ ref('stg_mimic__icustays') }}

),

drug_patterns as (

    select * from {{ ref('antibiotic_drug_patterns') }}

),

eligible_prescriptions as (

    select * from prescriptions
    where drug_type not in ('BASE')
        and route not in ('OU', 'OS', 'OD', 'AU', 'AS', 'AD', 'TP')
        and lower(route) not like '%ear%'
        and lower(route) not like '%eye%'
        and lower(drug) not like '%cream%'
        and lower(drug) not like '%desensitization%'
        and lower(drug) not like '%ophth oint%'
        and lower(drug) not like '%gel%'

),

eligible_drugs as (

    -- patterns are matched against the few distinct drug names, not every row
    select distinct drug from eligible_prescriptions

),

antibiotic_drugs as (

    select distinct eligible_drugs.drug
    from eligible_drugs
    inner join drug_patterns
        on contains(lower(eligible_drugs.drug), drug_patterns.drug_pattern)

),

final as (

    select
        eligible_prescriptions.subject_id,
        eligible_prescriptions.hadm_id,
        icustays.stay_id,
        eligible_prescriptions.drug as antibiotic,
        eligible_prescriptions.route,
        eligible_prescriptions.starttime,
        eligible_prescriptions.stoptime,
    from eligible_prescriptions
    inner join antibiotic_drugs
        on eligible_prescriptions.drug = antibiotic_drugs.drug
    left join icustays
        on eligible_prescriptions.hadm_id = icustays.hadm_id
        and eligible_prescriptions.starttime >= icustays.intime
        and eligible_prescriptions.starttime < icustays.outtime

)

select * from final
