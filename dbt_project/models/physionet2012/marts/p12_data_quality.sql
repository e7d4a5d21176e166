{{ config(alias='data_quality') }}
-- One row per data-quality rule of seed p12_data_quality_rules: how many rows (lines, values,
-- files or records) and records it touched, so nothing is silently dropped or changed; the ingest's
-- skipped lines and files included. Rules that touched nothing are listed with 0.
with measurements as (

    select * from {{ ref('int_p12__measurements') }}

),

hourly as (

    select * from {{ ref('int_p12__hourly_long') }}

),

record_steps as (

    select * from {{ ref('int_p12__record_steps') }}

),

outcomes as (

    select * from {{ ref('stg_p12__outcomes') }}

),

records as (

    select * from {{ ref('stg_p12__records') }}

),

skipped as (

    select * from {{ ref('stg_p12__skipped') }}

),

rules as (

    select * from {{ ref('p12_data_quality_rules') }}

),

duplicate_timestamps as (

    select record_id, count(*) as n_rows,
    from measurements
    where kind = 'timeseries'
        and dq_status = 'ok'
    group by record_id, parameter, minutes
    having count(*) > 1

),

rule_hits as (

    select rule, record_id, 1 as n_rows, from skipped
    union all
    select dq_status as rule, record_id, 1 as n_rows, from measurements where dq_status <> 'ok'
    union all
    select 'at_48h_folded', record_id, n_values_at_48h from hourly where n_values_at_48h > 0
    union all
    select 'duplicate_timestamp', record_id, n_rows from duplicate_timestamps
    union all
    select 'descriptors_only', record_id, 1 from records where not has_timeseries
    union all
    select 'outcome_missing', record_id, 1 from record_steps where not passes_has_outcome
    union all
    select 'outcome_missing_marker', record_id,
        cast(is_saps_i_missing as integer) + cast(is_sofa_missing as integer)
        + cast(is_length_of_stay_missing as integer),
    from outcomes
    where is_saps_i_missing or is_sofa_missing or is_length_of_stay_missing
    union all
    select 'survival_negative', record_id, 1 from outcomes where is_survival_negative

),

final as (

    select
        rules.rule,
        rules.category,
        rules.model,
        rules.action,
        rules.description,
        cast(coalesce(sum(rule_hits.n_rows), 0) as bigint) as n_rows,
        count(distinct rule_hits.record_id) as n_stays,
    from rules
    left join rule_hits
        on rules.rule = rule_hits.rule
    group by all

)

select * from final order by rule
