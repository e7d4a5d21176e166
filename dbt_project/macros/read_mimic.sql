{#
    read_mimic(table): a typed relation over one raw MIMIC-IV file, for the staging models.
    table: source('mimic_iv', '<table>') (or the table's name); its columns come from that dbt source
    (mimic_source_spec(): data_type, meta.required, meta.aliases).

    Looks for <mimic_iv_dir>/<module>/<table>.parquet, .csv.gz or .csv (first found, in that order),
    reads its header, matches the expected columns case-insensitively and returns
    `(select <typed columns> from read_csv(...)) as raw_<table>`.
    - CSV options are explicit (header, delim ',', quote '"', escape '"', no sniffing): prescriptions
      has quoted commas that the sniffer gets wrong; every file column is declared (VARCHAR where the
      warehouse does not use it) so only the needed columns are converted.
    - A missing file or a missing required column fails at once, naming the table, the path and the
      expected columns. Optional columns absent from the file become typed NULLs.
    - A comment names the file with its size and modification time, so the compiled SQL says what was
      read and changes when the file does (the staging cache keys on it: macros/staged_parquet.sql,
      which also verifies the file named there and checks the rejected rows).
    - Malformed CSV rows are stored in a temporary rejects table (vistrend_rejects_<table>), not raised
      by DuckDB, whose error message quotes the patient's row; staged_parquet fails on any of them.
    - Paths are SQL literals through sql_string(), so quotes in folder names work.
#}
{% macro read_mimic(table) %}
    {%- set table = table if table is string else table.identifier -%}
    {%- set spec = mimic_source_spec(table) -%}
    {%- set base = var('mimic_iv_dir') ~ '/' ~ spec['module'] ~ '/' ~ table -%}
    {%- set expected = [] -%}
    {%- for col in spec['columns'] -%}
        {%- do expected.append(col[0] ~ ' ' ~ col[1] ~ ('' if col[2] else ' (optional)')) -%}
    {%- endfor -%}

    {%- if not execute -%}
        {#- parse time: a typed empty relation, no file access -#}
        (select
        {%- for col in spec['columns'] %}
            cast(null as {{ col[1] }}) as {{ col[0] }}{{ ',' if not loop.last }}
        {%- endfor %}
        limit 0) as raw_{{ table }}
    {%- else -%}
        {%- set path = mimic_find_file(base) -%}
        {%- if path is none -%}
            {{ exceptions.raise_compiler_error(
                "MIMIC-IV table " ~ spec['module'] ~ "/" ~ table ~ " not found: expected " ~ base
                ~ ".parquet, " ~ base ~ ".csv.gz or " ~ base ~ ".csv (set MIMIC_IV_DIR or var mimic_iv_dir); "
                ~ "expected columns: " ~ expected | join(', ')) }}
        {%- endif -%}
        {%- set is_parquet = path.endswith('.parquet') -%}
        {%- set header = mimic_file_columns(path, is_parquet) -%}
        {%- set by_lower = {} -%}
        {%- for name in header -%}
            {%- do by_lower.update({name | lower: name}) -%}
        {%- endfor -%}

        {#- resolve each expected column to the file's header name (or none) -#}
        {%- set resolved = [] -%}
        {%- set missing = [] -%}
        {%- for col in spec['columns'] -%}
            {%- set candidates = [col[0]] + (col[3] if col | length > 3 else []) -%}
            {%- set found = [] -%}
            {%- for candidate in candidates -%}
                {%- if candidate in by_lower and found | length == 0 -%}
                    {%- do found.append(by_lower[candidate]) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if found | length == 0 and col[2] -%}
                {%- do missing.append(col[0]) -%}
            {%- endif -%}
            {%- do resolved.append([col[0], col[1], found[0] if found else none]) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "MIMIC-IV table " ~ spec['module'] ~ "/" ~ table ~ " at " ~ path ~ " has an unknown layout: missing column(s) "
                ~ missing | join(', ') ~ "; expected columns: " ~ expected | join(', ')
                ~ "; found: " ~ header | join(', ')) }}
        {%- endif -%}

        {%- set stamp = run_query(
            "select size, strftime(last_modified, '%Y-%m-%dT%H:%M:%S') from read_blob(" ~ sql_string(path) ~ ")").rows[0] -%}
        {%- set types_by_header = {} -%}
        {%- for col in resolved if col[2] is not none -%}
            {%- do types_by_header.update({col[2]: col[1]}) -%}
        {%- endfor -%}

        /* raw file: {{ path }} ({{ stamp[0] }} bytes, modified {{ stamp[1] }}) */
        (select
        {%- for col in resolved %}
            {%- if col[2] is none %}
            cast(null as {{ col[1] }}) as {{ col[0] }}{{ ',' if not loop.last }}
            {%- elif is_parquet %}
            cast("{{ col[2] }}" as {{ col[1] }}) as {{ col[0] }}{{ ',' if not loop.last }}
            {%- else %}
            "{{ col[2] }}" as {{ col[0] }}{{ ',' if not loop.last }}
            {%- endif %}
        {%- endfor %}
        from
        {%- if is_parquet %}
            read_parquet({{ sql_string(path) }})
        {%- else %}
            read_csv(
                {{ sql_string(path) }},
                header = true,
                delim = ',',
                quote = '"',
                escape = '"',
                auto_detect = false,
                {#- malformed rows are set aside, never printed: DuckDB's own CSV error quotes the row
                    ("Original Line: ..."); staged_parquet fails naming file, line and column only -#}
                store_rejects = true,
                rejects_table = 'vistrend_rejects_{{ table }}',
                rejects_scan = 'vistrend_reject_scans_{{ table }}',
                columns = {
                {%- for name in header %}
                    '{{ name }}': '{{ types_by_header.get(name, "VARCHAR") }}'{{ ',' if not loop.last }}
                {%- endfor %}
                }
            )
        {%- endif %}
        ) as raw_{{ table }}
    {%- endif -%}
{% endmacro %}


{# The first existing file among <base>.parquet, <base>.csv.gz, <base>.csv, or none. #}
{% macro mimic_find_file(base) %}
    {%- set found = run_query(
        "select file from glob(" ~ sql_string(base ~ ".parquet") ~ ") union all "
        ~ "select file from glob(" ~ sql_string(base ~ ".csv.gz") ~ ") union all "
        ~ "select file from glob(" ~ sql_string(base ~ ".csv") ~ ")") -%}
    {%- set files = found.columns[0].values() -%}
    {%- for suffix in ['.parquet', '.csv.gz', '.csv'] -%}
        {%- for file in files if file.endswith(suffix) and not (suffix == '.csv' and file.endswith('.csv.gz')) -%}
            {{ return(file) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{# Header column names of one raw file, as written in the file. #}
{% macro mimic_file_columns(path, is_parquet) %}
    {%- if is_parquet -%}
        {%- set relation = "read_parquet(" ~ sql_string(path) ~ ")" -%}
    {%- else -%}
        {%- set relation = "read_csv(" ~ sql_string(path) ~ ", header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, sample_size = 1)" -%}
    {%- endif -%}
    {%- set described = run_query("select column_name from (describe select * from " ~ relation ~ ")") -%}
    {{ return(described.columns[0].values() | list) }}
{% endmacro %}
