{#
    p12_source(table): the ingested PhysioNet 2012 Parquet file of source table physionet2012.<table>,
    read_parquet('<p12_raw_dir>/<table>.parquet'). Calling source() records the dependency, so the P12
    lineage starts at the raw files (`dbt ls -s source:physionet2012.observations+`); the path comes from
    var p12_raw_dir at run time (a dbt-duckdb external_location would be fixed when the yml is parsed,
    and would ignore `--vars '{p12_raw_dir: ...}'`).
#}
{% macro p12_source(table) %}
    {%- set relation = source('physionet2012', table) -%}
    read_parquet({{ sql_string(var("p12_raw_dir") ~ "/" ~ relation.identifier ~ ".parquet") }})
{%- endmacro %}
