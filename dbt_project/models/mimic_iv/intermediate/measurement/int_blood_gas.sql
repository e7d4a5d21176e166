-- Blood gases pivoted per lab specimen, with the latest charted SpO2 (<= 2 h
-- before) and charted FiO2 (<= 4 h before) of the same patient. PaO2/FiO2
-- uses the lab FiO2 (50816) when present, else the charted FiO2 (223835).
-- The "latest within N hours" lookups are ASOF joins (latest value at or
-- before the gas, then kept only if recent enough): same result as a range
-- join + row_number, without the per-patient fan-out.
with lab_measurements as (

    select * from {{ ref('int_lab_measurements') }}

),

chartevents as (

    select * from {{ ref('stg_mimic__chartevents') }}

),

chart_itemids as (

    select * from {{ ref('score_itemids') }}
    where concept = 'blood_gas_chart'

),

blood_gas_events as (

    select * from lab_measurements
    where concept = 'blood_gas'

),

blood_gas_pivoted as (

    select
        max(subject_id) as subject_id,
        max(hadm_id) as hadm_id,
        max(charttime) as charttime,
        specimen_id,
        max(case when measurement = 'specimen' then value end) as specimen,
        max(case when measurement = 'aado2' then valuenum end) as aado2,
        max(case when measurement = 'baseexcess' then valuenum end) as baseexcess,
        max(case when measurement = 'bicarbonate' then valuenum end) as bicarbonate,
        max(case when measurement = 'totalco2' then valuenum end) as totalco2,
        max(case when measurement = 'carboxyhemoglobin' then valuenum end) as carboxyhemoglobin,
        max(case when measurement = 'chloride' then valuenum end) as chloride,
        max(case when measurement = 'calcium' then valuenum end) as calcium,
        max(case when measurement = 'glucose' and valuenum <= 10000 then valuenum end) as glucose,
        max(case when measurement = 'hematocrit' and valuenum <= 100 then valuenum end) as hematocrit,
        max(case when measurement = 'hemoglobin' then valuenum end) as hemoglobin,
        max(case when measurement = 'lactate' and valuenum <= 10000 then valuenum end) as lactate,
        max(case when measurement = 'methemoglobin' then valuenum end) as methemoglobin,
        max(case when measurement = 'o2flow' then valuenum end) as o2flow,
        -- FiO2 <= 20 % is unphysiological (usually a misplaced O2 flow)
        max(case
            when measurement = 'fio2' and valuenum > 20 and valuenum <= 100 then valuenum
            when measurement = 'fio2' and valuenum > 0.2 and valuenum <= 1 then valuenum * 100
        end) as fio2,
        max(case when measurement = 'so2' and valuenum <= 100 then valuenum end) as so2,
        max(case when measurement = 'pco2' then valuenum end) as pco2,
        max(case when measurement = 'peep' then valuenum end) as peep,
        max(case when measurement = 'ph' then valuenum end) as ph,
        max(case when measurement = 'po2' then valuenum end) as po2,
        max(case when measurement = 'potassium' then valuenum end) as potassium,
        max(case when measurement = 'requiredo2' then valuenum end) as requiredo2,
        max(case when measurement = 'sodium' then valuenum end) as sodium,
        max(case when measurement = 'temperature' then valuenum end) as temperature,
    from blood_gas_events
    group by specimen_id

),

blood_gas_with_po2 as (

    select * from blood_gas_pivoted
    where po2 is not null

),

chart_events as (

    select
        chartevents.subject_id,
        chartevents.charttime,
        chartevents.valuenum,
        chart_itemids.measurement,
    from chartevents
    inner join chart_itemids
        on chartevents.itemid = chart_itemids.itemid
    where chartevents.valuenum > 0
        and chartevents.valuenum <= 100

),

charted_spo2 as (

    select
        subject_id,
        charttime,
        avg(valuenum) as spo2,
    from chart_events
    where measurement = 'spo2'
    group by subject_id, charttime

),

charted_fio2 as (

    select
        subject_id,
        charttime,
        max(case
            when valuenum > 0.2 and valuenum <= 1 then valuenum * 100
            -- 1-20 looks like an O2 flow in litres: unusable
            when valuenum >= 20 and valuenum <= 100 then valuenum
        end) as fio2_chartevents,
    from chart_events
    where measurement = 'fio2_chartevents'
    group by subject_id, charttime

),

usable_charted_fio2 as (

    select * from charted_fio2
    where fio2_chartevents > 0

),

with_spo2 as (

    select
        blood_gas_with_po2.*,
        case
            when charted_spo2.charttime >= blood_gas_with_po2.charttime - interval 2 hour
                then charted_spo2.spo2
        end as spo2,
    from blood_gas_with_po2
    asof left join charted_spo2
        on blood_gas_with_po2.subject_id = charted_spo2.subject_id
        and blood_gas_with_po2.charttime >= charted_spo2.charttime

),

with_fio2 as (

    select
        with_spo2.*,
        case
            when usable_charted_fio2.charttime >= with_spo2.charttime - interval 4 hour
                then usable_charted_fio2.fio2_chartevents
        end as fio2_chartevents,
    from with_spo2
    asof left join usable_charted_fio2
        on with_spo2.subject_id = usable_charted_fio2.subject_id
        and with_spo2.charttime >= usable_charted_fio2.charttime

),

final as (

    select
        subject_id,
        hadm_id,
        specimen_id,
        charttime,
        specimen,
        so2,
        spo2,
        po2,
        pco2,
        fio2_chartevents,
        fio2,
        aado2,
        round(case
            when po2 is null or pco2 is null then null
            when fio2 is not null then (fio2 / 100) * (760 - 47) - (pco2 / 0.8) - po2
            when fio2_chartevents is not null then (fio2_chartevents / 100) * (760 - 47) - (pco2 / 0.8) - po2
        end, 4) as aado2_calc,
        case
            when fio2 is not null then 100 * po2 / fio2
            when fio2_chartevents is not null then 100 * po2 / fio2_chartevents
        end as pao2fio2ratio,
        ph,
        baseexcess,
        bicarbonate,
        totalco2,
        hematocrit,
        hemoglobin,
        carboxyhemoglobin,
        methemoglobin,
        chloride,
        calcium,
        temperature,
        potassium,
        sodium,
        lactate,
        glucose,
    from with_fio2

)

select * from final
