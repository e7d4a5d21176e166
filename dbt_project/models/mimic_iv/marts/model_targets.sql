-- One row per prediction target the trainer reads (seed model_target_definitions): its column, the
-- mart holding it, kind, role (primary | alternative | auxiliary) and whether it is also a static
-- input of the classification head.
with targets as (

    select * from {{ ref('model_target_definitions') }}

),

final as (

    select
        target,
        mart,
        kind,
        role,
        static_input,
        description,
    from targets

)

select * from final order by role desc, target
