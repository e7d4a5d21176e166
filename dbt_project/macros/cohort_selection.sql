{#
    Which cohort the marts are built for: var `cohort` (dbt_project.yml)
    - paper (default): the paper's septic-shock cohort (int_cohort_steps, seed cohort_steps);
    - p12_style: the PhysioNet-2012-style cohort (int_p12_style_cohort_steps, seed p12_style_cohort_steps).
    cohort_steps_model(): the steps model (one row per ICU stay: passes_<step>, in_cohort, exclusion_step);
    cohort_step_rules(): the seed listing its steps. Both models share the columns the marts read.
#}
{% macro cohort_steps_model() %}
    {%- set cohort = var('cohort', 'paper') -%}
    {%- if cohort == 'p12_style' -%}
        {{ return(ref('int_p12_style_cohort_steps')) }}
    {%- endif -%}
    {%- if cohort != 'paper' -%}
        {{ exceptions.raise_compiler_error("var cohort must be paper or p12_style, got '" ~ cohort ~ "'") }}
    {%- endif -%}
    {{ return(ref('int_cohort_steps')) }}
{% endmacro %}

{% macro cohort_step_rules() %}
    {%- set cohort = var('cohort', 'paper') -%}
    {%- if cohort == 'p12_style' -%}
        {{ return(ref('p12_style_cohort_steps')) }}
    {%- endif -%}
    {%- if cohort != 'paper' -%}
        {{ exceptions.raise_compiler_error("var cohort must be paper or p12_style, got '" ~ cohort ~ "'") }}
    {%- endif -%}
    {{ return(ref('cohort_steps')) }}
{% endmacro %}
