-- Suspicion of infection per antibiotic prescription: a culture of the same
-- patient taken up to 72 h before the antibiotic, or up to 24 h after it
-- (calendar-date windows of 3 days / 1 day when the culture has no time).
-- Suspicion time = culture time when the culture came first, else the
-- antibiotic time. The earliest matching culture is used (date, time with
-- undated-time cultures last, positive first, specimen id).
with antibiotics as (

    select * from {{ ref('int_antibiotic_prescriptions') }}

),

cultures as (

    select * from {{ ref('int_microbiology_cultures') }}

),

numbered_antibiotics as (

    select
        subject_id,
        hadm_id,
        stay_id,
        antibiotic,
        starttime as antibiotic_time,
        cast(starttime as date) as antibiotic_date,
        row_number() over (
            partition by subject_id
            order by starttime nulls first, stoptime nulls first, antibiotic, hadm_id, stay_id
        ) as ab_id,
    from antibiotics

),

culture_then_antibiotic as (

    select
        numbered_antibiotics.subject_id,
        numbered_antibiotics.ab_id,
        coalesce(cultures.charttime, cast(cultures.chartdate as timestamp)) as culture_time,
        cultures.spec_type_desc as specimen,
        cultures.is_positive_culture,
        row_number() over (
            partition by numbered_antibiotics.subject_id, numbered_antibiotics.ab_id
            order by
                cultures.chartdate asc,
                cultures.charttime asc nulls last,
                cultures.is_positive_culture desc,
                cultures.micro_specimen_id asc
        ) as culture_rank,
    from numbered_antibiotics
    inner join cultures
        on numbered_antibiotics.subject_id = cultures.subject_id
        and (
            (
                cultures.charttime is not null
                and numbered_antibiotics.antibiotic_time > cultures.charttime
                and numbered_antibiotics.antibiotic_time <= cultures.charttime + interval 72 hour
            )
            or (
                cultures.charttime is null
                and numbered_antibiotics.antibiotic_date >= cultures.chartdate
                and numbered_antibiotics.antibiotic_date <= cultures.chartdate + interval 3 day
            )
        )

),

antibiotic_then_culture as (

    select
        numbered_antibiotics.subject_id,
        numbered_antibiotics.ab_id,
        coalesce(cultures.charttime, cast(cultures.chartdate as timestamp)) as culture_time,
        cultures.spec_type_desc as specimen,
        cultures.is_positive_culture,
        row_number() over (
            partition by numbered_antibiotics.subject_id, numbered_antibiotics.ab_id
            order by
                cultures.chartdate asc,
                cultures.charttime asc nulls last,
                cultures.is_positive_culture desc,
                cultures.micro_specimen_id asc
        ) as culture_rank,
    from numbered_antibiotics
    inner join cultures
        on numbered_antibiotics.subject_id = cultures.subject_id
        and (
            (
                cultures.charttime is not null
                and numbered_antibiotics.antibiotic_time >= cultures.charttime - interval 24 hour
                and numbered_antibiotics.antibiotic_time < cultures.charttime
            )
            or (
                cultures.charttime is null
                and numbered_antibiotics.antibiotic_date >= cultures.chartdate - interval 1 day
                and numbered_antibiotics.antibiotic_date <= cultures.chartdate
            )
        )

),

final as (

    select
        numbered_antibiotics.subject_id,
        numbered_antibiotics.stay_id,
        numbered_antibiotics.hadm_id,
        numbered_antibiotics.ab_id,
        numbered_antibiotics.antibiotic,
        numbered_antibiotics.antibiotic_time,
        case
            when culture_then_antibiotic.ab_id is not null
                or antibiotic_then_culture.ab_id is not null
                then 1
            else 0
        end as suspected_infection,
        case
            when culture_then_antibiotic.ab_id is not null
                then culture_then_antibiotic.culture_time
            when antibiotic_then_culture.ab_id is not null
                then numbered_antibiotics.antibiotic_time
        end as suspected_infection_time,
        coalesce(culture_then_antibiotic.culture_time, antibiotic_then_culture.culture_time) as culture_time,
        coalesce(culture_then_antibiotic.specimen, antibiotic_then_culture.specimen) as specimen,
        coalesce(culture_then_antibiotic.is_positive_culture, antibiotic_then_culture.is_positive_culture)
            as positive_culture,
    from numbered_antibiotics
    left join culture_then_antibiotic
        on numbered_antibiotics.subject_id = culture_then_antibiotic.subject_id
        and numbered_antibiotics.ab_id = culture_then_antibiotic.ab_id
        and culture_then_antibiotic.culture_rank = 1
    left join antibiotic_then_culture
        on numbered_antibiotics.subject_id = antibiotic_then_culture.subject_id
        and numbered_antibiotics.ab_id = antibiotic_then_culture.ab_id
        and antibiotic_then_culture.culture_rank = 1

)

select * from final
