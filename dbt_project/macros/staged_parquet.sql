{#
    staged_parquet: the staging layer's materialization. A staging model is written once to
    <data_dir>/staging/<name>.parquet and exposed in the warehouse as a view over that file; later
    builds reuse the file while the model's compiled SQL is unchanged.

    Why: parsing the raw csv.gz files is most of a cold build (chartevents alone is 433M rows at v3.1
    size) and the raw files rarely change, so a build should pay for it once.
    - The cache key is md5(compiled SQL + this materialization's version). The compiled SQL names the raw file
      with its size and modification time (read_mimic writes them in a comment) and the staged itemids
      (staged_itemid_filter), so a new or changed raw file, a changed column list or a changed itemid
      seed each rebuild the file; `dbt build --full-refresh` rebuilds every one.
    - The key lives inside the Parquet file (key-value metadata `vistrend_fingerprint`), so the file
      and its key cannot disagree.
    - Each raw file the compiled SQL reads (named in read_mimic's comment) is verified when, and only
      when, the file is staged: gzip CRC32 and length of every member, or the Parquet footer
      (plugins/vistrend_files.py), in a thread beside DuckDB's read. A truncated or corrupt file fails
      naming it, and the staged file written from it is removed. The fingerprint names this check, so
      files staged before it existed are staged (and verified) again, and an unchanged one is not.
    - Malformed CSV rows (read_mimic stores them in vistrend_rejects_<table>) fail the model with the
      file, line and column of the first one and their count, never the row's values.
    - COPY streams the query to a temporary file beside the target and renames it on success
      (use_tmp_file), so a failed or interrupted build never leaves a half-written file; no table is
      materialized in warehouse.duckdb, which keeps memory and the database file small.
#}
{% materialization staged_parquet, adapter='duckdb' %}
    {%- set directory = data_subdirectory('staging') -%}
    {%- set location = directory ~ '/' ~ this.identifier ~ '.parquet' -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {#- bump the version when this materialization changes how it writes the file -#}
    {%- set fingerprint = local_md5(compiled_code ~ '\nstaged_parquet v2: raw files verified, malformed rows refused') -%}
    {%- set raw_files = modules.re.findall('/\\* raw file: (.+?) \\(\\d+ bytes, modified [^)]*\\) \\*/', compiled_code) -%}
    {%- set rejects_tables = modules.re.findall("rejects_table = '(\\w+)'", compiled_code) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set reuse = not should_full_refresh() and staged_parquet_fingerprint(location) == fingerprint -%}
    {% if reuse %}
        {% do log(this.identifier ~ ": raw table already staged, reusing " ~ location, info=false) %}
    {% else %}
        {% do mart_ensure_directory(directory) %}
        {% for raw in raw_files %}
            {% do run_query('select vistrend_verify_start(' ~ sql_string(raw) ~ ')') %}
        {% endfor %}
        {% for name in rejects_tables %}
            {% do run_query('drop table if exists ' ~ name) %}
        {% endfor %}
        {% call statement('write_parquet') -%}
            copy ({{ compiled_code }}) to {{ sql_string(location) }} (
                format parquet,
                compression zstd,
                use_tmp_file true,
                kv_metadata {vistrend_fingerprint: '{{ fingerprint }}', vistrend_model: '{{ this.identifier }}'}
            )
        {%- endcall %}
        {% for raw in raw_files %}
            {% do run_query('select vistrend_verify_wait(' ~ sql_string(raw) ~ ', ' ~ sql_string(location) ~ ')') %}
        {% endfor %}
        {% for name in rejects_tables %}
            {% do staged_parquet_refuse_rejects(name, raw_files, location) %}
        {% endfor %}
    {% endif %}

    {% do parquet_view(target_relation, existing_relation, location) %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{# The fingerprint stored in a staged Parquet file, or none when the file does not exist or has none. #}
{% macro staged_parquet_fingerprint(location) %}
    {%- set found = run_query("select file from glob(" ~ sql_string(location) ~ ")") -%}
    {%- if found.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = run_query(
        "select decode(value) from parquet_kv_metadata(" ~ sql_string(location) ~ ") "
        ~ "where decode(key) = 'vistrend_fingerprint'") -%}
    {{ return(stored.rows[0][0] if stored.rows | length > 0 else none) }}
{% endmacro %}


{#
    Fail when a CSV read set rows aside (read_mimic's store_rejects): one line with the file, the first
    bad line and column and the error kind; the rejects table's csv_line and error_message quote the
    row and are never read. The staged file (written without those rows) is removed first.
#}
{% macro staged_parquet_refuse_rejects(rejects_table, raw_files, location) %}
    {%- set exists = run_query(
        "select count(*) from duckdb_tables() where table_name = " ~ sql_string(rejects_table)).rows[0][0] -%}
    {%- if exists == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set found = run_query(
        "select count(*), min(line), arg_min(coalesce(column_name, '(whole line)'), line), arg_min(error_type, line) "
        ~ "from " ~ rejects_table) -%}
    {%- set row = found.rows[0] -%}
    {%- if row[0] > 0 -%}
        {%- do run_query('select vistrend_remove_file(' ~ sql_string(location) ~ ')') -%}
        {{ exceptions.raise_compiler_error(
            (raw_files | join(', ')) ~ ": " ~ row[0] ~ " malformed line(s), the first on line " ~ row[1]
            ~ ", column " ~ row[2] ~ " (" ~ row[3] ~ "); fix or replace the file (row values are not printed)") }}
    {%- endif -%}
{% endmacro %}
