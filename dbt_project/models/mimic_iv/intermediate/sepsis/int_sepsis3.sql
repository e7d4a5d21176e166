-- Sepsis-3 (Singer 2016) as in mimic-code: an antibiotic started inside the
-- ICU stay with a suspected infection, and an hour with sofa_24hours >= 2 whose
-- end lies in [suspicion - 48 h, suspicion + 24 h]. Baseline SOFA is assumed 0.
-- One row per stay: the earliest suspicion, then antibiotic, culture and SOFA
-- hour; NULLs sort first on purpose (BigQuery ASC, which mimic-code relies on).
-- Onset = end of the chosen SOFA hour (maintainer's answer, mimic-code #1956).
with suspicion_of_infection as (

    select * from {{ ref('int_suspicion_of_infection') }}
    where stay_id is not null
        and suspected_infection = 1

),

sofa_hourly as (

    select * from {{ ref('int_sofa_hourly') }}
    where sofa_24hours >= 2

),

candidates as (

    select
        suspicion_of_infection.subject_id,
        suspicion_of_infection.stay_id,
        suspicion_of_infection.antibiotic_time,
        suspicion_of_infection.culture_time,
        suspicion_of_infection.suspected_infection_time,
        sofa_hourly.endtime as sofa_time,
        sofa_hourly.sofa_24hours,
        sofa_hourly.respiration_24hours,
        sofa_hourly.coagulation_24hours,
        sofa_hourly.liver_24hours,
        sofa_hourly.cardiovascular_24hours,
        sofa_hourly.cns_24hours,
        sofa_hourly.renal_24hours,
        row_number() over (
            partition by suspicion_of_infection.stay_id
            order by
                suspicion_of_infection.suspected_infection_time nulls first,
                suspicion_of_infection.antibiotic_time nulls first,
                suspicion_of_infection.culture_time nulls first,
                sofa_hourly.endtime nulls first
        ) as candidate_rank,
    from suspicion_of_infection
    inner join sofa_hourly
        on suspicion_of_infection.stay_id = sofa_hourly.stay_id
        and sofa_hourly.endtime >= suspicion_of_infection.suspected_infection_time - interval 48 hour
        and sofa_hourly.endtime <= suspicion_of_infection.suspected_infection_time + interval 24 hour

),

final as (

    select
        subject_id,
        stay_id,
        sofa_time as sepsis3_onset_time,
        suspected_infection_time,
        antibiotic_time,
        culture_time,
        sofa_24hours as sofa_24hours_at_onset,
        respiration_24hours,
        coagulation_24hours,
        liver_24hours,
        cardiovascular_24hours,
        cns_24hours,
        renal_24hours,
    from candidates
    where candidate_rank = 1

)

select * from final
