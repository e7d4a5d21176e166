-- One row per record file of the ingested sets, as written by pipelines/ingest_physionet2012.py.
with source as (

    select * from {{ p12_source('records') }}

),

final as (

    select
        cast(record_id as bigint) as record_id,
        cast(set_name as varchar) as set_name,
        cast(source_file as varchar) as source_file,
        cast(n_lines as integer) as n_lines,
        cast(has_timeseries as boolean) as has_timeseries,
    from source

)

select * from final
