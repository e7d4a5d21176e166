-- Every specimen counts as a culture, whatever its type. Positive: any row with
-- an organism that is not NEGATIVE (90856) / CANCELLED (90760).
with microbiologyevents as (

    select * from {{ ref('stg_mimic__microbiologyevents') }}

),

final as (

    select
        micro_specimen_id,
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        cast(max(chartdate) as date) as chartdate,
        max(charttime) as charttime,
        max(spec_type_desc) as spec_type_desc,
        max(case
            when org_name is not null
                and org_name != ''
                and org_name != 'CANCELLED'
                and org_itemid not in (90856, 90760)
                then 1
            else 0
        end) as is_positive_culture,
    from microbiologyevents
    group by micro_specimen_id

)

select * from final
