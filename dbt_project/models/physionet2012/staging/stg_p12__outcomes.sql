-- One row per record of Outcomes-X.txt. -1 (missing) becomes NULL; Survival is days from ICU
-- admission to death, -1 when not known to have died (NULL here); values below -1 are unusable (NULL).
with source as (

    select * from {{ p12_source('outcomes') }}

),

final as (

    select
        cast(record_id as bigint) as record_id,
        cast(set_name as varchar) as set_name,
        cast(nullif(saps_i, -1) as integer) as saps_i,
        cast(nullif(sofa, -1) as integer) as sofa,
        cast(nullif(length_of_stay, -1) as integer) as length_of_stay_days,
        cast(case when survival >= 0 then survival end as integer) as survival_days,
        cast(case when in_hospital_death in (0, 1) then in_hospital_death end as integer) as in_hospital_death,
        saps_i = -1 as is_saps_i_missing,
        sofa = -1 as is_sofa_missing,
        length_of_stay = -1 as is_length_of_stay_missing,
        survival < -1 as is_survival_negative,
    from source

)

select * from final
