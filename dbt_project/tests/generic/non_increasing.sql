{#- Rows where column_name is larger than on the previous row ordered by order_by. -#}
{% test non_increasing(model, column_name, order_by) %}

with ordered as (

    select
        {{ column_name }} as value,
        lag({{ column_name }}) over (order by {{ order_by }}) as previous_value,
    from {{ model }}

)

select * from ordered
where value > previous_value

{% endtest %}
