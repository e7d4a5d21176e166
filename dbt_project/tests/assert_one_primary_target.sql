-- The trainer needs exactly one primary label in model_targets (fails with the count otherwise).
select count(*) as n_primary
from {{ ref('model_targets') }}
where role = 'primary'
having count(*) <> 1
