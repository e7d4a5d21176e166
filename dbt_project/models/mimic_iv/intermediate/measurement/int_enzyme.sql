-- Liver / enzyme values per lab specimen, values > 0 (mimic-code enzyme).
with lab_measurements as (

    select * from {{ ref('int_lab_measurements') }}

),

enzyme_events as (

    select * from lab_measurements
    where concept = 'enzyme'
        and valuenum > 0

),

final as (

    {{ lab_panel_pivot('enzyme_events', [
        'alt',
        'alp',
        'ast',
        'amylase',
        'bilirubin_total',
        'bilirubin_direct',
        'bilirubin_indirect',
        'ck_cpk',
        'ck_mb',
        'ggt',
        'ld_ldh'
    ]) }}

)

select * from final
