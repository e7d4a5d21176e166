{#
    on-run-start hook: a missing or misplaced input folder is one error before anything is built (not
    one error per staging model), and the warehouse file this run would have created is removed
    (plugins/vistrend_files.py). Checked for `dbt build` / `dbt run` when a model that reads the raw
    input is selected: MIMIC-IV's staging (MIMIC_IV_DIR must hold hosp/ and icu/), or PhysioNet 2012's
    staging (P12_RAW_DIR must hold the ingest's observations.parquet).
#}
{% macro check_input_dirs() %}
    {%- if not execute or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set selected = selected_resources | join(' ') -%}
    {%- if var('source', 'mimic_iv') == 'mimic_iv' and 'model.vistrend.stg_mimic__' in selected -%}
        {%- do run_query('select vistrend_check_mimic_dir(' ~ sql_string(var('mimic_iv_dir')) ~ ')') -%}
    {%- elif var('source', 'mimic_iv') == 'physionet2012' and 'model.vistrend.stg_p12__' in selected -%}
        {%- do run_query('select vistrend_check_p12_dir(' ~ sql_string(var('p12_raw_dir')) ~ ')') -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
