-- One row per data line of a record file (descriptors and time series), values as written
-- (-1 kept); minutes since ICU admission from the HH:MM Time field.
with source as (

    select * from {{ p12_source('observations') }}

),

final as (

    select
        cast(record_id as bigint) as record_id,
        cast(set_name as varchar) as set_name,
        cast(minutes as integer) as minutes,
        cast(parameter as varchar) as parameter,
        cast(value as double) as value,
        cast(is_descriptor as boolean) as is_descriptor,
        cast(line_no as integer) as line_no,
    from source

)

select * from final
