{{ config(alias='contract') }}
-- One row per contract entry (section, name): what the models read from the PhysioNet 2012 marts,
-- published by the build (macros/contract_mart.sql; docs/warehouse.md, "The contract").
{{ contract_mart(
    source_name='physionet2012',
    source_label='PhysioNet 2012',
    files=[
        ['p12_cohort', 'cohort', ['stay_id']],
        ['p12_hourly_measurements', 'hourly_measurements', ['stay_id', 'hr']],
        ['p12_static_features', 'static_features', ['stay_id']],
        ['p12_severity_scores', 'severity_scores', ['stay_id']],
        ['p12_series_channels', 'series_channels', ['mart', 'channel']],
        ['p12_model_targets', 'model_targets', ['target']],
    ],
    series_channels='p12_series_channels',
    model_targets='p12_model_targets',
    static_features='p12_static_features',
    target_definitions='p12_target_definitions',
) }}
