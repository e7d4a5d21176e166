-- One row per charted weight interval of an ICU stay: when each admit/daily weight applies.
-- Follows mimic-code weight_durations facts: chartevents 226512 (admit) / 224639 (daily) (seed
-- score_itemids, concept 'weight'),
-- 0 < kg < 1500; the first admit weight applies from intime - 2 h; each weight lasts until the next
-- one starts, the last until outtime + 2 h; a first weight charted after intime is back-filled
-- from intime - 2 h.
with chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

icu_stays as (

    select * from {{ ref('int_icu_stays') }}

),

weight_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'weight'

),

weights as (

    select
        chartevents.stay_id,
        chartevents.charttime,
        case weight_itemids.measurement when 'weight_admit' then 'admit' else 'daily' end as weight_type,
        round(chartevents.valuenum, 3) as weight_kg,
    from chartevents
    inner join weight_itemids
        on chartevents.itemid = weight_itemids.itemid
    where chartevents.stay_id is not null
        and chartevents.valuenum > 0
        and chartevents.valuenum < 1500

),

ordered as (

    select
        weights.*,
        icu_stays.intime,
        icu_stays.outtime,
        row_number() over (
            partition by weights.stay_id, weights.weight_type
            order by weights.charttime, weights.weight_kg
        ) as seq_in_type,
    from weights
    inner join icu_stays
        on weights.stay_id = icu_stays.stay_id

),

starts as (

    select
        stay_id,
        intime,
        outtime,
        weight_type,
        weight_kg,
        case
            when weight_type = 'admit' and seq_in_type = 1 then intime - interval 2 hour
            else charttime
        end as starttime,
    from ordered

),

intervals as (

    select
        stay_id,
        starttime,
        coalesce(
            lead(starttime) over (partition by stay_id order by starttime, weight_type),
            outtime + interval 2 hour
        ) as endtime,
        weight_kg,
        weight_type,
        intime,
        row_number() over (partition by stay_id order by starttime, weight_type) as seq,
    from starts

),

backfill as (

    select
        stay_id,
        intime - interval 2 hour as starttime,
        starttime as endtime,
        weight_kg,
        weight_type,
    from intervals
    where seq = 1
        and starttime > intime - interval 2 hour

),

final as (

    select stay_id, starttime, endtime, weight_kg, weight_type from intervals
    union all
    select stay_id, starttime, endtime, weight_kg, weight_type from backfill

)

select * from final
