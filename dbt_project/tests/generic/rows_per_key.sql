{#- Keys (column_name) that do not have exactly n_rows rows. -#}
{% test rows_per_key(model, column_name, n_rows) %}

select
    {{ column_name }},
    count(*) as n_rows_found,
from {{ model }}
group by {{ column_name }}
having count(*) <> {{ n_rows }}

{% endtest %}
