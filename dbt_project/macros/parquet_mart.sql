{#
    parquet_mart: write a model to <data_dir>/marts/<name>.parquet and expose it in the warehouse as a
    view over that file (like dbt-duckdb's `external`, with two fixes):
    - an empty result gives a 0-row Parquet file with the model's schema (`external` writes one
      all-NULL row and filters it out in the view only, so the file itself is wrong);
    - the file is written to a temporary file beside it and renamed (DuckDB COPY use_tmp_file), and
      only after the model's SQL succeeded, so a failed build never leaves a half-written file.
    The view reads an absolute path, so the .duckdb file can be queried from any working directory.
#}
{% materialization parquet_mart, adapter='duckdb' %}
    {%- set marts_dir = mart_directory() -%}
    {%- set location = marts_dir ~ '/' ~ this.identifier ~ '.parquet' -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set temp_relation = make_intermediate_relation(this.incorporate(type='table'), suffix='__dbt_tmp') -%}
    {{ drop_relation_if_exists(load_cached_relation(temp_relation)) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% call statement('create_table') -%}
        {{ create_table_as(False, temp_relation, compiled_code) }}
    {%- endcall %}

    {% do mart_ensure_directory(marts_dir) %}
    {% call statement('write_parquet') -%}
        copy {{ temp_relation }} to '{{ location }}' (format parquet, compression zstd, use_tmp_file true)
    {%- endcall %}

    {% do parquet_view(target_relation, existing_relation, location) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ drop_relation_if_exists(temp_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#
    The model's relation becomes a view over its Parquet file (the dbt 'main' statement). A table or
    other relation of the same name from an earlier materialization is dropped first.
#}
{% macro parquet_view(target_relation, existing_relation, location) %}
    {% if existing_relation is not none and existing_relation.type != 'view' %}
        {{ drop_relation_if_exists(existing_relation) }}
    {% endif %}
    {% call statement('main') -%}
        create or replace view {{ target_relation }} as select * from read_parquet('{{ location }}')
    {%- endcall %}
{% endmacro %}


{# Absolute <data_dir>/marts. #}
{% macro mart_directory() %}
    {{ return(data_subdirectory('marts')) }}
{% endmacro %}


{#
    Absolute <data_dir>/<name>. A relative data_dir (the default ../data) is resolved through the
    warehouse file's absolute path, which DuckDB reports and which lives in the same data_dir.
#}
{% macro data_subdirectory(name) %}
    {%- set data_dir = var('data_dir') | string -%}
    {%- if not data_dir.startswith('/') and execute -%}
        {%- set db_path = run_query(
            "select path from duckdb_databases() where database_name = current_database()"
        ).columns[0].values()[0] -%}
        {%- set data_dir = db_path.rsplit('/', 1)[0] -%}
    {%- endif -%}
    {{ return(data_dir.rstrip('/') ~ '/' ~ name) }}
{% endmacro %}


{#
    Create a directory (parent must exist) from SQL: a partitioned COPY of zero rows creates the
    target directory and writes no file; it is a no-op when the directory exists.
#}
{% macro mart_ensure_directory(path) %}
    {% call statement('ensure_directory') -%}
        copy (select 1 as one, 'x' as part where false) to '{{ path }}'
            (format parquet, partition_by (part), overwrite_or_ignore true)
    {%- endcall %}
{% endmacro %}
