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
    {%- set fingerprint = local_md5(compiled_code ~ '\nstaged_parquet v1') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set reuse = not should_full_refresh() and staged_parquet_fingerprint(location) == fingerprint -%}
    {% if reuse %}
        {% do log(this.identifier ~ ": raw table already staged, reusing " ~ location, info=false) %}
    {% else %}
        {% do mart_ensure_directory(directory) %}
        {% call statement('write_parquet') -%}
            copy ({{ compiled_code }}) to '{{ location }}' (
                format parquet,
                compression zstd,
                use_tmp_file true,
                kv_metadata {vistrend_fingerprint: '{{ fingerprint }}', vistrend_model: '{{ this.identifier }}'}
            )
        {%- endcall %}
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
    {%- set found = run_query("select file from glob('" ~ location ~ "')") -%}
    {%- if found.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set stored = run_query(
        "select decode(value) from parquet_kv_metadata('" ~ location ~ "') "
        ~ "where decode(key) = 'vistrend_fingerprint'") -%}
    {{ return(stored.rows[0][0] if stored.rows | length > 0 else none) }}
{% endmacro %}
