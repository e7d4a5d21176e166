{#
    staged_itemid_filter(): the WHERE condition the staging models of the event tables (chartevents,
    labevents, inputevents, outputevents) apply: keep only the itemids some concept reads.

    The itemids are those of seeds score_itemids (every score, vital, lab, ventilation, urine and weight
    item), vis_agents (the vasoactive agents) and physiology_itemids (physiology_hourly), written out as a literal list so the compiled SQL
    shows them and the staging cache rebuilds when a seed changes. MIMIC-IV's chartevents/inputevents
    (2xxxxx) and labevents (5xxxx) itemids do not overlap, so one list serves every table. About 18 % of
    the demo's chartevents rows are kept.
    var `stage_all_itemids: true` keeps every row (to inspect other items in SQL; slower, larger).
    A staging model that calls this must declare the seeds:
        -- depends_on: {{ ref('score_itemids') }} {{ ref('vis_agents') }} {{ ref('physiology_itemids') }}
#}
{% macro staged_itemid_filter() %}
    {%- if var('stage_all_itemids', false) or not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set itemids = run_query(
        "select itemid from " ~ ref('score_itemids') ~ " union "
        ~ "select itemid from " ~ ref('vis_agents') ~ " union "
        ~ "select itemid from " ~ ref('physiology_itemids') ~ " order by itemid").columns[0].values() -%}
    {%- if itemids | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "seeds score_itemids and vis_agents are empty: staging would keep no chartevents, labevents, "
            ~ "inputevents or outputevents rows (run `dbt seed`)") }}
    {%- endif -%}
    {{ return('itemid in (' ~ itemids | join(', ') ~ ')') }}
{% endmacro %}
