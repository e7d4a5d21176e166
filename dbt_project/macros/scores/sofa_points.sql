{#
    SOFA organ points (Vincent 1996, thresholds as in the mimic-code concepts).
    Each returns NULL when the organ has no data, so callers can tell "normal"
    from "not measured"; totals treat NULL as 0.
#}

{% macro sofa_respiration_points(pafi_vent, pafi_novent, include_ventilated_300_400) -%}
    case
        when {{ pafi_vent }} < 100 then 4
        when {{ pafi_vent }} < 200 then 3
        when {{ pafi_novent }} < 300 then 2
        {%- if include_ventilated_300_400 %}
        when {{ pafi_vent }} < 300 then 2
        {%- endif %}
        when {{ pafi_novent }} < 400 then 1
        {%- if include_ventilated_300_400 %}
        when {{ pafi_vent }} < 400 then 1
        {%- endif %}
        when coalesce({{ pafi_vent }}, {{ pafi_novent }}) is null then null
        else 0
    end
{%- endmacro %}

{% macro sofa_coagulation_points(platelet_min) -%}
    case
        when {{ platelet_min }} < 20 then 4
        when {{ platelet_min }} < 50 then 3
        when {{ platelet_min }} < 100 then 2
        when {{ platelet_min }} < 150 then 1
        when {{ platelet_min }} is null then null
        else 0
    end
{%- endmacro %}

{% macro sofa_liver_points(bilirubin_max) -%}
    case
        when {{ bilirubin_max }} >= 12.0 then 4
        when {{ bilirubin_max }} >= 6.0 then 3
        when {{ bilirubin_max }} >= 2.0 then 2
        when {{ bilirubin_max }} >= 1.2 then 1
        when {{ bilirubin_max }} is null then null
        else 0
    end
{%- endmacro %}

{#
    Any epinephrine or norepinephrine rate scores at least 3 (the "<= 0.1" arm
    catches every non-NULL rate, including 0), as in mimic-code.
#}
{% macro sofa_cardiovascular_points(dopamine, dobutamine, epinephrine, norepinephrine, mbp_min) -%}
    case
        when {{ dopamine }} > 15 or {{ epinephrine }} > 0.1 or {{ norepinephrine }} > 0.1 then 4
        when {{ dopamine }} > 5 or {{ epinephrine }} <= 0.1 or {{ norepinephrine }} <= 0.1 then 3
        when {{ dopamine }} > 0 or {{ dobutamine }} > 0 then 2
        when {{ mbp_min }} < 70 then 1
        when coalesce({{ mbp_min }}, {{ dopamine }}, {{ dobutamine }}, {{ epinephrine }}, {{ norepinephrine }}) is null then null
        else 0
    end
{%- endmacro %}

{% macro sofa_cns_points(gcs_min) -%}
    case
        when {{ gcs_min }} >= 13 and {{ gcs_min }} <= 14 then 1
        when {{ gcs_min }} >= 10 and {{ gcs_min }} <= 12 then 2
        when {{ gcs_min }} >= 6 and {{ gcs_min }} <= 9 then 3
        when {{ gcs_min }} < 6 then 4
        when {{ gcs_min }} is null then null
        else 0
    end
{%- endmacro %}

{% macro sofa_renal_points(creatinine_max, urine_output_ml) -%}
    case
        when {{ creatinine_max }} >= 5.0 then 4
        when {{ urine_output_ml }} < 200 then 4
        when {{ creatinine_max }} >= 3.5 and {{ creatinine_max }} < 5.0 then 3
        when {{ urine_output_ml }} < 500 then 3
        when {{ creatinine_max }} >= 2.0 and {{ creatinine_max }} < 3.5 then 2
        when {{ creatinine_max }} >= 1.2 and {{ creatinine_max }} < 2.0 then 1
        when coalesce({{ urine_output_ml }}, {{ creatinine_max }}) is null then null
        else 0
    end
{%- endmacro %}
