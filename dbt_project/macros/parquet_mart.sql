{#
    parquet_mart: write a model to <data_dir>/mart_builds/<invocation_id>/<name>.parquet and expose it in
    the warehouse as a view over that file (like dbt-duckdb's `external`, with three fixes):
    - an empty result gives a 0-row Parquet file with the model's schema (`external` writes one
      all-NULL row and filters it out in the view only, so the file itself is wrong);
    - the file is written to a temporary file beside it and renamed (DuckDB COPY use_tmp_file), and
      only after the model's SQL succeeded, so a failed build never leaves a half-written file;
    - every mart of one dbt invocation goes into that invocation's build folder, and <data_dir>/marts
      (a symlink) is switched to it only by the on-run-end hook, when no model or test failed
      (publish_marts below). A failed or killed build never leaves marts/ mixing two builds.
    The view reads an absolute path, so the .duckdb file can be queried from any working directory;
    during the run it reads the build folder (the data tests test the new marts), afterwards marts/.
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

    {% do run_query('select vistrend_begin_build(' ~ sql_string(marts_dir) ~ ')') %}
    {% call statement('write_parquet') -%}
        copy {{ temp_relation }} to {{ sql_string(location) }} (format parquet, compression zstd, use_tmp_file true)
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
        create or replace view {{ target_relation }} as select * from read_parquet({{ sql_string(location) }})
    {%- endcall %}
{% endmacro %}


{# Absolute <data_dir>/mart_builds/<invocation_id>: where this run writes its marts. #}
{% macro mart_directory() %}
    {{ return(data_subdirectory('mart_builds') ~ '/' ~ invocation_id) }}
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
        copy (select 1 as one, 'x' as part where false) to {{ sql_string(path) }}
            (format parquet, partition_by (part), overwrite_or_ignore true)
    {%- endcall %}
{% endmacro %}


{#
    on-run-end hook: publish this run's marts as one set, or keep the published set.
    - Nothing failed (no model, seed or test with status error/fail; warnings are fine) and this run
      wrote marts: the plugin writes <build>/_manifest.json (every file's bytes, sha256, rows), links
      in the published marts this run did not rebuild (a partial --select), switches the
      <data_dir>/marts symlink to the build with one rename, and keeps the last 2 published builds.
    - Something failed: the build folder is removed; marts/ still holds the previous set.
    Either way every mart view is recreated over <data_dir>/marts/<name>.parquet (the published set),
    with its descriptions, so the warehouse never reads an unpublished build either.
#}
{% macro publish_marts(results) %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set data_dir = data_subdirectory('marts').rsplit('/', 1)[0] -%}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
    {%- set marts = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'parquet_mart' and node.config.enabled -%}
        {%- do marts.append(node) -%}
    {%- endfor -%}
    {%- set names = marts | map(attribute='alias') | list -%}
    {%- if failed -%}
        {%- do run_query('select vistrend_discard_build(' ~ sql_string(data_dir) ~ ', ' ~ sql_string(invocation_id) ~ ')') -%}
        {%- do log("marts not published: " ~ failed | length ~ " failure(s); " ~ data_dir ~ "/marts still holds the previous build", info=true) -%}
    {%- else -%}
        {%- set published = run_query('select vistrend_publish_marts(' ~ sql_string(data_dir) ~ ', ' ~ sql_string(invocation_id)
            ~ ', ' ~ sql_string(tojson(names)) ~ ', 2)').rows[0][0] -%}
        {%- if published -%}
            {%- do log("marts published: " ~ data_dir ~ "/marts -> " ~ published, info=true) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do point_mart_views(marts, data_dir ~ '/marts') -%}
    {{ return('') }}
{% endmacro %}


{# Every existing mart view reads <marts_dir>/<name>.parquet (the published set), descriptions kept. #}
{% macro point_mart_views(marts, marts_dir) %}
    {%- for node in marts -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- set location = marts_dir ~ '/' ~ node.alias ~ '.parquet' -%}
        {%- set exists = run_query('select count(*) from glob(' ~ sql_string(location) ~ ')').rows[0][0] -%}
        {%- if relation is not none and relation.type == 'view' and exists -%}
            {%- do run_query('create or replace view ' ~ relation ~ ' as select * from read_parquet(' ~ sql_string(location) ~ ')') -%}
            {%- if node.description -%}
                {%- do run_query('comment on view ' ~ relation ~ ' is ' ~ sql_string(node.description)) -%}
            {%- endif -%}
            {%- for column in node.columns.values() if column.description -%}
                {%- do run_query('comment on column ' ~ relation ~ '.' ~ adapter.quote(column.name) ~ ' is ' ~ sql_string(column.description)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}
