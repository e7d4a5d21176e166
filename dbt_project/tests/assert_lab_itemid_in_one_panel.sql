-- Each lab itemid of seed score_itemids belongs to one lab panel. int_lab_measurements (one row per
-- labevents row) joins the seed on itemid across the five panels, so an itemid listed under two panels
-- would duplicate its labevents rows. Returns the offending itemids.
select
    itemid,
    string_agg(concept || '.' || measurement, ', ') as listed_as,
from {{ ref('score_itemids') }}
where concept in ('chemistry', 'complete_blood_count', 'enzyme', 'coagulation', 'blood_gas')
group by itemid
having count(*) > 1
