{#
    contract_mart(source_name, source_label, files): the `contract` mart of one source, what the models
    read from the marts, published by the same build (docs/warehouse.md, "The contract"). One row per
    entry (section, name, value, position, details = a JSON object or NULL):
      source          name 'source' = source_name, name 'label' = source_label
      hours           vis_window_hours: hours per stay in the series mart (hr 0 .. hours - 1)
      file            one per mart file the models read: value <mart>.parquet, details {"keys": [...]} (the grain)
      series          name 'mart': the hourly series mart (series_channels.mart)
      series_channel  one per channel, in channel_order (position): value = unit, details = its series_channels row
      static_column   one per static_features column but the key: value = DuckDB type,
                      details {"kind": "continuous" | "categorical"}
      target          one per model_targets row: value = kind, details {mart, role, static_input, wording}
      primary_label   the primary target: name = column, value = its wording (e.g. 'ICU death')
    files: [[model name, file name, [key columns]], ...].
#}
{% macro contract_mart(source_name, source_label, files, series_channels, model_targets, static_features,
                       target_definitions) %}
with series_channels as (

    -- the channel set a trainer reads when none is chosen (other sets: series_channels.channel_set)
    select * exclude (channel_set, in_default_set) from {{ ref(series_channels) }}
    where in_default_set

),

model_targets as (

    select * from {{ ref(model_targets) }}

),

target_definitions as (

    select * from {{ ref(target_definitions) }}

),

static_columns as (

    {%- set static_relation = ref(static_features) %}
    select
        column_name,
        data_type as column_type,
        row_number() over (order by column_index) as position,
    from duckdb_columns()
    where schema_name = '{{ static_relation.schema }}'
        and table_name = '{{ static_relation.identifier }}'
        and column_name <> 'stay_id'

),

entries as (

    select 'source' as section, 'source' as name, '{{ source_name }}' as value, 1 as position, null as details
    union all
    select 'source', 'label', '{{ source_label }}', 2, null
    union all
    select 'hours', 'vis_window_hours', '{{ var("vis_window_hours") }}', 1, null
    {%- for model_name, file_name, keys in files %}
    union all
    select
        'file', '{{ file_name }}', '{{ file_name }}.parquet', {{ loop.index }},
        json_object('keys', [{% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %}])::varchar
    -- depends_on: {{ ref(model_name) }}
    {%- endfor %}
    union all
    select distinct 'series', 'mart', mart, 1, null from series_channels
    union all
    select
        'series_channel', channel, unit, channel_order,
        to_json(series_channels)::varchar,
    from series_channels
    union all
    select
        'static_column', column_name, column_type, position,
        json_object('kind', case when column_type in ('VARCHAR', 'BOOLEAN') then 'categorical'
                                 else 'continuous' end)::varchar,
    from static_columns
    union all
    select
        'target', model_targets.target, model_targets.kind,
        row_number() over (order by model_targets.role desc, model_targets.target),
        json_object('mart', model_targets.mart, 'role', model_targets.role,
                    'static_input', model_targets.static_input, 'wording', target_definitions.wording)::varchar,
    from model_targets
    left join target_definitions
        on model_targets.target = target_definitions.target
    union all
    select 'primary_label', model_targets.target, target_definitions.wording, 1, null
    from model_targets
    left join target_definitions
        on model_targets.target = target_definitions.target
    where model_targets.role = 'primary'

),

final as (

    select
        cast(section as varchar) as section,
        cast(name as varchar) as name,
        cast(value as varchar) as value,
        cast(position as integer) as position,
        cast(details as varchar) as details,
    from entries

)

select * from final order by section, position, name
{%- endmacro %}
