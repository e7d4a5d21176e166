{#-
    cohort_step_keeps_stays: on a cohort_attrition mart (one row per step, n_stays after it), warns when a
    step leaves 0 stays, naming the first such step in the log and returning one row per such step
    (every later step then has 0 stays too). The 0-row marts keep their schema (parquet_mart).
-#}
{% test cohort_step_keeps_stays(model) %}
{{ config(severity='warn') }}

{%- if execute -%}
    {%- set emptied = run_query("select step from " ~ model ~ " where n_stays = 0 order by step_order limit 1") -%}
    {%- if emptied.rows | length > 0 -%}
        {%- do log("WARNING: cohort step '" ~ emptied.rows[0][0] ~ "' leaves 0 stays (" ~ model.identifier
                   ~ "); every later step and the cohort are empty", info=true) -%}
    {%- endif -%}
{%- endif %}

select step_order, step, 'leaves 0 stays' as problem
from {{ model }}
where n_stays = 0

{% endtest %}
