{#
    lab_panel_pivot(events, measurements): the select that pivots one lab panel to one row per
    specimen_id.

    events is a relation or CTE with one row per lab value (subject_id, hadm_id, specimen_id,
    charttime, measurement, valuenum), already filtered by the panel's own value rules.
    measurements lists the panel's columns in output order; each item is a measurement name, or a
    (name, upper_limit) pair: values above the limit are implausible and count as missing (the
    specimen row stays). Each column is the highest valuenum of that measurement on the specimen
    (mimic-code's max(case ...) pivot).
#}
{% macro lab_panel_pivot(events, measurements) -%}
    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        {%- for item in measurements %}
        {%- if item is string %}
        max(case when measurement = '{{ item }}' then valuenum end) as {{ item }},
        {%- else %}
        max(case when measurement = '{{ item[0] }}' and valuenum <= {{ item[1] }} then valuenum end) as {{ item[0] }},
        {%- endif %}
        {%- endfor %}
    from {{ events }}
    group by specimen_id
{%- endmacro %}
