-- Complete blood count per lab specimen, values > 0 (mimic-code
-- complete_blood_count).
with lab_measurements as (

    select * from {{ ref('int_lab_measurements') }}

),

cbc_events as (

    select * from lab_measurements
    where concept = 'complete_blood_count'
        and valuenum > 0

),

final as (

    {{ lab_panel_pivot('cbc_events', [
        'hematocrit',
        'hemoglobin',
        'mch',
        'mchc',
        'mcv',
        'platelet',
        'rbc',
        'rdw',
        'rdwsd',
        'wbc'
    ]) }}

)

select * from final
