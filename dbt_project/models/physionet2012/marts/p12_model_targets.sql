{{ config(alias='model_targets') }}
-- One row per prediction target the trainer reads: its column, the mart holding it, kind
-- (binary | regression), role (primary | auxiliary) and whether it is also a static input of the
-- classification head (seed p12_target_definitions).
with targets as (

    select * from {{ ref('p12_target_definitions') }}

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
