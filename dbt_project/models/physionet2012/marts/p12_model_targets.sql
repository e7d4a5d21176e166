{{ config(alias='model_targets') }}
-- One row per prediction target the trainer reads (seed p12_target_definitions): its column, the
-- mart holding it, kind (binary | regression), role (primary | auxiliary) and whether it is also a
-- static input of the classification head (macros/model_targets.sql, shared with MIMIC-IV).
{{ model_targets('p12_target_definitions') }}
