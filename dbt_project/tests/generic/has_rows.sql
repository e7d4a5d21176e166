{#-
    has_rows: warns when a required input has no rows (a header-only csv.gz builds green otherwise, with
    a 0-row cohort and every mart empty). Severity warn: an empty table is legal, but never silent; the
    warning names the model. Returns one row when the model is empty.
-#}
{% test has_rows(model) %}
{{ config(severity='warn') }}

select 'has no rows' as problem
where not exists (select 1 from {{ model }})

{% endtest %}
