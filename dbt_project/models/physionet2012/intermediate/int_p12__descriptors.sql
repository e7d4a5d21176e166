-- One row per record: its descriptors (Age, Gender, Height, ICUType, Weight) with -1 and
-- out-of-range values as NULL. A missing admission weight falls back to the first valid charted
-- Weight of the record (weight_source says which).
with measurements as (

    select * from {{ ref('int_p12__measurements') }}

),

records as (

    select * from {{ ref('stg_p12__records') }}

),

descriptors as (

    select
        record_id,
        max(value) filter (where parameter = 'Age') as age,
        max(value) filter (where parameter = 'Gender') as gender_code,
        max(value) filter (where parameter = 'Height') as height_cm,
        max(value) filter (where parameter = 'ICUType') as icu_type_code,
        max(value) filter (where parameter = 'Weight') as admission_weight_kg,
    from measurements
    where kind = 'descriptor'
    group by record_id

),

first_charted_weight as (

    select
        record_id,
        arg_min(value, minutes * 100000 + line_no) as charted_weight_kg,
    from measurements
    where kind = 'timeseries'
        and parameter = 'Weight'
        and dq_status = 'ok'
    group by record_id

),

final as (

    select
        records.record_id,
        records.set_name,
        descriptors.age,
        case descriptors.gender_code when 0 then 'F' when 1 then 'M' end as gender,
        descriptors.height_cm,
        coalesce(descriptors.admission_weight_kg, first_charted_weight.charted_weight_kg) as weight_kg,
        case
            when descriptors.admission_weight_kg is not null then 'descriptor'
            when first_charted_weight.charted_weight_kg is not null then 'first_charted'
        end as weight_source,
        case descriptors.icu_type_code
            when 1 then 'Coronary Care Unit'
            when 2 then 'Cardiac Surgery Recovery Unit'
            when 3 then 'Medical ICU'
            when 4 then 'Surgical ICU'
        end as icu_type,
    from records
    left join descriptors
        on records.record_id = descriptors.record_id
    left join first_charted_weight
        on records.record_id = first_charted_weight.record_id

)

select * from final
