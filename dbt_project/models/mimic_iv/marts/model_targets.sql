-- One row per prediction target the trainer reads (seed model_target_definitions): its column, the
-- mart holding it, kind, role (primary | alternative | auxiliary) and whether it is also a static
-- input of the classification head (macros/model_targets.sql, shared with PhysioNet 2012).
{{ model_targets('model_target_definitions') }}
