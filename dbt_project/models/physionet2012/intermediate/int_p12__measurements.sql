-- One row per data line (descriptor or time series) with its data-quality status against seed
-- p12_parameters: 'ok' values are kept; -1 markers and out-of-range values become NULL; unknown
-- parameters and times after 48:00 are dropped downstream. Nothing is removed here, so that
-- data_quality can count every line.
with observations as (

    select * from {{ ref('stg_p12__observations') }}

),

parameters as (

    select * from {{ ref('p12_parameters') }}

),

classified as (

    select
        observations.record_id,
        observations.set_name,
        observations.line_no,
        observations.minutes,
        observations.parameter,
        case when observations.is_descriptor then 'descriptor' else 'timeseries' end as kind,
        parameters.column_name,
        observations.value as value_raw,
        case
            when parameters.parameter is null then 'unknown_parameter'
            when observations.minutes > {{ var('vis_window_hours') }} * 60 then 'beyond_48h'
            -- -1 is the challenge's missing marker; checked before the range so it is counted as such
            when observations.value = -1 then 'missing_marker'
            when observations.value < parameters.min_value or observations.value > parameters.max_value
                then 'out_of_range'
            else 'ok'
        end as dq_status,
    from observations
    left join parameters
        on observations.parameter = parameters.parameter
        and parameters.kind = case when observations.is_descriptor then 'descriptor' else 'timeseries' end

),

final as (

    select
        *,
        case when dq_status = 'ok' then value_raw end as value,
    from classified

)

select * from final
