{#
    mimic_source_spec(table): what read_mimic reads for one raw MIMIC-IV table, looked up in its dbt
    source (models/mimic_iv/staging/_mimic_iv__sources.yml, source `mimic_iv`):
        {'module': 'hosp' | 'icu', 'columns': [[name, duckdb_type, required, aliases], ...]}
    from the table's meta.module and each column's data_type, meta.required and meta.aliases.
    At parse time the graph is not loaded yet: an empty column list (nothing is read then).
#}
{% macro mimic_source_spec(table) %}
    {%- if not execute -%}
        {{ return({'module': 'hosp', 'columns': []}) }}
    {%- endif -%}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.mimic_iv.' ~ table) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error(
            "MIMIC-IV table " ~ table ~ " is not a table of source mimic_iv "
            ~ "(models/mimic_iv/staging/_mimic_iv__sources.yml)") }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append([column.name, column.data_type, column.meta.get('required', true),
                               column.meta.get('aliases', [])]) -%}
    {%- endfor -%}
    {{ return({'module': node.meta['module'], 'columns': columns}) }}
{% endmacro %}
