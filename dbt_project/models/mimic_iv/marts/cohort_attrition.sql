-- One row per cohort step, in order: stays and patients remaining after the step, and stays
-- excluded by it (n_excluded = previous step's n_stays - this step's n_stays).
{{ cohort_attrition(ref('int_cohort_steps'), ref('cohort_steps'), 'subject_id') }}
