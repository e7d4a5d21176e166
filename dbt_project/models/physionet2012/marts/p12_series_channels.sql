{{ config(alias='series_channels') }}
-- One row per channel of the hourly series (hourly_measurements): unit, fill policy and whether the
-- trainer adds a 0/1 observed channel, transform, in channel order (seed p12_parameters, time-series rows).
with parameters as (

    select * from {{ ref('p12_parameters') }}
    where kind = 'timeseries'

),

final as (

    select
        'hourly_measurements' as mart,
        column_name as channel,
        channel_order,
        unit,
        fill_policy,
        -- observed/unobserved is informative for every physiological channel; a zero-filled
        -- channel (MechVent) already means "not recorded = off"
        fill_policy <> 'zero' as observation_mask,
        -- physiological variables and the 0/1 ventilation flag: z-score only (no log, unlike VIS doses)
        'zscore' as transform,
        parameter as source_parameter,
        min_value,
        max_value,
        description,
        -- one channel set here (the contract MIMIC-IV's series_channels shares: vis | physiology)
        'physiology' as channel_set,
        true as in_default_set,
    from parameters

)

select * from final order by channel_order
