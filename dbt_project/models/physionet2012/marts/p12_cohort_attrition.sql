{{ config(alias='cohort_attrition') }}
-- One row per cohort step, in order: records (= stays = patients) remaining after the step, and
-- records excluded by it (previous step's n_stays - this step's n_stays).
{{ cohort_attrition(ref('int_p12__record_steps'), ref('p12_cohort_steps'), 'record_id') }}
