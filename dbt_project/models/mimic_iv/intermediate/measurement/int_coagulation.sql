-- Coagulation per lab specimen, any numeric value (no > 0 rule, as mimic-code
-- coagulation).
with lab_measurements as (

    select * from {{ ref('int_lab_measurements') }}

),

coagulation_events as (

    select * from lab_measurements
    where concept = 'coagulation'
        and valuenum is not null

),

final as (

    {{ lab_panel_pivot('coagulation_events', [
        'd_dimer',
        'fibrinogen',
        'thrombin',
        'inr',
        'pt',
        'ptt'
    ]) }}

)

select * from final
