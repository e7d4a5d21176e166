-- Every step's n_excluded equals the number of icu_stays rows whose exclusion_step is that step.
with attrition as (

    select * from {{ ref('cohort_attrition') }}

),

exclusions as (

    select exclusion_step as step, count(*) as n_stays_excluded
    from {{ ref('icu_stays') }}
    where exclusion_step is not null
    group by exclusion_step

),

final as (

    select attrition.step, attrition.n_excluded, coalesce(exclusions.n_stays_excluded, 0) as from_icu_stays
    from attrition
    left join exclusions
        on attrition.step = exclusions.step
    where attrition.n_excluded <> coalesce(exclusions.n_stays_excluded, 0)

)

select * from final
