-- Ventilator settings pivoted per patient and charted time (text modes kept as
-- text; FiO2 cleaned to percent; PEEP outside 0-100 dropped).
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

setting_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'ventilator_setting'

),

setting_events as (

    select
        chartevents.subject_id,
        chartevents.stay_id,
        chartevents.charttime,
        chartevents.value,
        setting_itemids.measurement,
        case
            when setting_itemids.measurement = 'fio2' then
                case
                    when chartevents.valuenum >= 0.20 and chartevents.valuenum <= 1 then chartevents.valuenum * 100
                    when chartevents.valuenum >= 20 and chartevents.valuenum <= 100 then chartevents.valuenum
                end
            when setting_itemids.measurement = 'peep' then
                case when chartevents.valuenum between 0 and 100 then chartevents.valuenum end
            else chartevents.valuenum
        end as valuenum,
    from chartevents
    inner join setting_itemids
        on chartevents.itemid = setting_itemids.itemid
    where chartevents.value is not null
        and chartevents.stay_id is not null

),

final as (

    select
        subject_id,
        max(stay_id) as stay_id,
        charttime,
        max(case when measurement = 'respiratory_rate_set' then valuenum end) as respiratory_rate_set,
        max(case when measurement = 'respiratory_rate_total' then valuenum end) as respiratory_rate_total,
        max(case when measurement = 'respiratory_rate_spontaneous' then valuenum end) as respiratory_rate_spontaneous,
        max(case when measurement = 'minute_volume' then valuenum end) as minute_volume,
        max(case when measurement = 'tidal_volume_set' then valuenum end) as tidal_volume_set,
        max(case when measurement = 'tidal_volume_observed' then valuenum end) as tidal_volume_observed,
        max(case when measurement = 'tidal_volume_spontaneous' then valuenum end) as tidal_volume_spontaneous,
        max(case when measurement = 'plateau_pressure' then valuenum end) as plateau_pressure,
        max(case when measurement = 'peep' then valuenum end) as peep,
        max(case when measurement = 'fio2' then valuenum end) as fio2,
        max(case when measurement = 'flow_rate' then valuenum end) as flow_rate,
        max(case when measurement = 'ventilator_mode' then value end) as ventilator_mode,
        max(case when measurement = 'ventilator_mode_hamilton' then value end) as ventilator_mode_hamilton,
        max(case when measurement = 'ventilator_type' then value end) as ventilator_type,
    from setting_events
    group by subject_id, charttime

)

select * from final
