-- The four SOFA vasopressors straight from inputevents, rates as charted
-- (mcg/kg/min). Independent of the VIS normalisation on purpose: SOFA must
-- reconcile with mimic-code. Norepinephrine charted in mg/kg/min is x1000,
-- except with patientweight = 1 (a mis-documented mcg rate, kept as is).
with inputevents as (

    select * from {{ ref('stg_mimic__inputevents') }}

),

vasopressor_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'sofa_vasopressor'

),

final as (

    select
        inputevents.stay_id,
        vasopressor_itemids.measurement as vasopressor,
        inputevents.starttime,
        inputevents.endtime,
        case
            when vasopressor_itemids.measurement != 'norepinephrine'
                or lower(trim(coalesce(inputevents.rateuom, ''))) != 'mg/kg/min'
                then inputevents.rate
            when inputevents.patientweight = 1 then inputevents.rate
            else inputevents.rate * 1000
        end as rate_mcg_kg_min,
    from inputevents
    inner join vasopressor_itemids
        on inputevents.itemid = vasopressor_itemids.itemid

)

select * from final
