-- One row per record, hour and time-series variable with at least one valid value: the hourly mean.
-- Hour h covers minutes [h*60, (h+1)*60); an observation at exactly 48:00 (the window's closing
-- edge) is folded into hour 47, later ones were dropped in int_p12__measurements.
with measurements as (

    select * from {{ ref('int_p12__measurements') }}
    where kind = 'timeseries'
        and dq_status = 'ok'

),

binned as (

    select
        record_id,
        column_name,
        least(minutes // 60, {{ var('vis_window_hours') }} - 1) as hr,
        value,
        minutes = {{ var('vis_window_hours') }} * 60 as is_at_48h,
    from measurements

),

final as (

    select
        record_id,
        hr,
        column_name,
        avg(value) as value_mean,
        count(*) as n_values,
        count(*) filter (where is_at_48h) as n_values_at_48h,
    from binned
    group by record_id, hr, column_name

)

select * from final
