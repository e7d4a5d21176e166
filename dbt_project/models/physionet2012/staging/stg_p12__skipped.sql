-- One row per line or file the ingest skipped because it could not be read (an empty parameter
-- name, a bad time or value, a 0-byte or non-record .txt, a member that is not a .txt, ...), with
-- the rule (physionet2012/parser.py SKIP_RULES); no values of the skipped line are kept.
with source as (

    select * from {{ p12_source('skipped') }}

),

final as (

    select
        cast(set_name as varchar) as set_name,
        cast(source_file as varchar) as source_file,
        cast(record_id as bigint) as record_id,
        cast(line_no as integer) as line_no,
        cast(rule as varchar) as rule,
    from source

)

select * from final
