{#
    on-run-start hook: a run, build or compile that reads raw data of the active source stops once, with
    one line saying where the data was expected and how to get it, instead of one long error per
    staging model. Only when a staging model of that source is selected (a build of the marts alone
    on staged data needs no raw files). A missing table or column in data that is there is reported
    by read_mimic, naming the table.
#}
{% macro check_inputs() %}
    {%- if not execute or flags.WHICH not in ('run', 'build', 'compile') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set source_name = var('source', 'mimic_iv') -%}
    {%- set prefix = 'model.' ~ project_name ~ ('.stg_mimic__' if source_name == 'mimic_iv' else '.stg_p12__') -%}
    {%- set staging = [] -%}
    {%- for unique_id in selected_resources if unique_id.startswith(prefix) -%}
        {%- do staging.append(unique_id) -%}
    {%- endfor -%}
    {%- if not staging -%}
        {{ return('') }}
    {%- endif -%}
    {%- if source_name == 'mimic_iv' -%}
        {%- set folder = var('mimic_iv_dir') -%}
        {%- set pattern = folder ~ '/*/*' -%}
        {%- set how = "run `make synthetic` (synthetic MIMIC-IV-shaped data) "
                      ~ "or set MIMIC_IV_DIR to a MIMIC-IV folder with hosp/ and icu/" -%}
    {%- else -%}
        {%- set folder = var('p12_raw_dir') -%}
        {%- set pattern = folder ~ '/records.parquet' -%}
        {%- set how = "run `make physionet2012` (or pipelines/ingest_physionet2012.py) "
                      ~ "or set P12_RAW_DIR to the ingested Parquet folder" -%}
    {%- endif -%}
    {%- if run_query("select count(*) from glob('" ~ pattern ~ "')").rows[0][0] == 0 -%}
        {{ exceptions.raise_compiler_error(
            "nothing to read: no " ~ ("MIMIC-IV tables" if source_name == 'mimic_iv' else "PhysioNet 2012 records")
            ~ " in " ~ folder ~ "; " ~ how) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
