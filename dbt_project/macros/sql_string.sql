{#
    sql_string(value): value as a SQL string literal, single quotes doubled. Every path pasted into SQL
    goes through it, so a folder such as "o'brien data" works (an unescaped quote ends the literal).
#}
{% macro sql_string(value) -%}
    {{ return("'" ~ (value | string).replace("'", "''") ~ "'") }}
{%- endmacro %}
