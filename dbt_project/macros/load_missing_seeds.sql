{#
    on-run-start hook: lets a bare `dbt run` work on a fresh warehouse. For `dbt run` only (build and
    seed load seeds themselves), every seed table that does not exist yet is created from its CSV with
    the seed's configured column_types. Existing seed tables are left alone (refresh: `dbt seed`).
#}
{% macro load_missing_seeds() %}
    {%- if execute and flags.WHICH == 'run' -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'seed' -%}
            {%- set existing = adapter.get_relation(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if existing is none -%}
                {%- set path = node.root_path ~ '/' ~ node.original_file_path -%}
                {%- set types = [] -%}
                {%- for name, type in (node.config.column_types or {}).items() -%}
                    {%- do types.append("'" ~ name ~ "': '" ~ type ~ "'") -%}
                {%- endfor -%}
                {%- do run_query(
                    'create table "' ~ node.database ~ '"."' ~ node.schema ~ '"."' ~ node.alias ~ '" as '
                    ~ "select * from read_csv(" ~ sql_string(path) ~ ", header = true, delim = ',', quote = '\"', escape = '\"'"
                    ~ (", types = {" ~ types | join(', ') ~ "}" if types else "") ~ ")") -%}
                {%- do log("loaded missing seed " ~ node.alias ~ " from " ~ node.original_file_path, info=true) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
