{#
    The end of the icustay_hourly hour that contains ts: hour hr covers
    (endtime - 1 h, endtime], so a value charted exactly on the hour belongs to
    the hour ending then, anything later to the next full hour. Lets hourly
    models join measurements by equality instead of by range.
#}
{% macro hour_ceiling(ts) -%}
    (date_trunc('hour', {{ ts }})
        + case
            when {{ ts }} = date_trunc('hour', {{ ts }}) then interval 0 hour
            else interval 1 hour
        end)
{%- endmacro %}
