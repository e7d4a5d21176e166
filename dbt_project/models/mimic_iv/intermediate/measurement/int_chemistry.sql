-- Chemistry per lab specimen; values must be > 0 except the anion gap, and
-- values above a plausible upper limit are dropped (mimic-code chemistry).
with lab_measurements as (

    select * from {{ ref('int_lab_measurements') }}

),

chemistry_events as (

    select * from lab_measurements
    where concept = 'chemistry'
        and valuenum is not null
        -- the anion gap may legitimately be <= 0
        and (valuenum > 0 or measurement = 'aniongap')

),

final as (

    {{ lab_panel_pivot('chemistry_events', [
        ('albumin', 10),
        ('globulin', 10),
        ('total_protein', 20),
        ('aniongap', 10000),
        ('bicarbonate', 10000),
        ('bun', 300),
        ('calcium', 10000),
        ('chloride', 10000),
        ('creatinine', 150),
        ('glucose', 10000),
        ('sodium', 200),
        ('potassium', 30)
    ]) }}

)

select * from final
