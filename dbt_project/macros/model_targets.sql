{#
    model_targets(definitions): the model_targets mart of one source, from its target-definitions seed
    (model_target_definitions for MIMIC-IV, p12_target_definitions for PhysioNet 2012): one row per
    prediction target the trainer reads, with its column (target), the mart holding it, kind
    (binary | regression), role (primary | alternative | auxiliary) and whether it is also a static
    input of the classification head.
#}
{% macro model_targets(definitions) %}
with targets as (

    select * from {{ ref(definitions) }}

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
{%- endmacro %}
