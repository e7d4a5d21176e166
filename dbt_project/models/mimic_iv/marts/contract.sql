-- One row per contract entry (section, name): what the models read from the MIMIC-IV marts, published
-- by the build (macros/contract_mart.sql; docs/warehouse.md, "The contract").
{{ contract_mart(
    source_name='mimic_iv',
    source_label='MIMIC-IV',
    files=[
        ['cohort', 'cohort', ['stay_id']],
        ['vis_hourly', 'vis_hourly', ['stay_id', 'hr']],
        ['static_features', 'static_features', ['stay_id']],
        ['severity_scores', 'severity_scores', ['stay_id']],
        ['series_channels', 'series_channels', ['mart', 'channel']],
        ['model_targets', 'model_targets', ['target']],
    ],
    series_channels='series_channels',
    model_targets='model_targets',
    static_features='static_features',
    target_definitions='model_target_definitions',
) }}
