-- One row per cohort step, in order: stays and patients remaining after the step, and stays
-- excluded by it (n_excluded = previous step's n_stays - this step's n_stays).
{{ cohort_attrition(cohort_steps_model(), cohort_step_rules(), 'subject_id') }}
