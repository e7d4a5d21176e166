"""The MIMIC-IV raw tables the generator writes: module, column names, order and types.

Names and order follow the real files (MIMIC-IV demo v2.2 headers, which match v3.1 for these tables);
the types are the ones DuckDB infers from the real demo files (BIGINT ids, DOUBLE numerics, VARCHAR
text, TIMESTAMP times, DATE for patients.dod). Known differences, kept on purpose (see docs/synthetic.md):
- chartevents caregiver_id/storetime/value/warning: the demo's chartevents is a reconstruction with
  these empty or numeric-only; the full database (and this generator) has caregiver_id BIGINT,
  storetime TIMESTAMP, value VARCHAR (text such as 'No Response-ETT') and warning BIGINT (0/1).
- procedureevents originalamount/originalrate: lower case as in the full database; only the demo file
  spells them ORIGINALAMOUNT/ORIGINALRATE.
"""
from __future__ import annotations

import pyarrow as pa

I64 = pa.int64()
F64 = pa.float64()
STR = pa.string()
TS = pa.timestamp("s")
DATE = pa.date32()

TABLES: dict[str, tuple[str, list[tuple[str, pa.DataType]]]] = {
    "patients": ("hosp", [
        ("subject_id", I64), ("gender", STR), ("anchor_age", I64), ("anchor_year", I64),
        ("anchor_year_group", STR), ("dod", DATE),
    ]),
    "admissions": ("hosp", [
        ("subject_id", I64), ("hadm_id", I64), ("admittime", TS), ("dischtime", TS), ("deathtime", TS),
        ("admission_type", STR), ("admit_provider_id", STR), ("admission_location", STR),
        ("discharge_location", STR), ("insurance", STR), ("language", STR), ("marital_status", STR),
        ("race", STR), ("edregtime", TS), ("edouttime", TS), ("hospital_expire_flag", I64),
    ]),
    "transfers": ("hosp", [
        ("subject_id", I64), ("hadm_id", I64), ("transfer_id", I64), ("eventtype", STR),
        ("careunit", STR), ("intime", TS), ("outtime", TS),
    ]),
    "services": ("hosp", [
        ("subject_id", I64), ("hadm_id", I64), ("transfertime", TS), ("prev_service", STR),
        ("curr_service", STR),
    ]),
    "diagnoses_icd": ("hosp", [
        ("subject_id", I64), ("hadm_id", I64), ("seq_num", I64), ("icd_code", STR), ("icd_version", I64),
    ]),
    "d_labitems": ("hosp", [
        ("itemid", I64), ("label", STR), ("fluid", STR), ("category", STR),
    ]),
    "labevents": ("hosp", [
        ("labevent_id", I64), ("subject_id", I64), ("hadm_id", I64), ("specimen_id", I64), ("itemid", I64),
        ("order_provider_id", STR), ("charttime", TS), ("storetime", TS), ("value", STR), ("valuenum", F64),
        ("valueuom", STR), ("ref_range_lower", F64), ("ref_range_upper", F64), ("flag", STR),
        ("priority", STR), ("comments", STR),
    ]),
    "microbiologyevents": ("hosp", [
        ("microevent_id", I64), ("subject_id", I64), ("hadm_id", I64), ("micro_specimen_id", I64),
        ("order_provider_id", STR), ("chartdate", TS), ("charttime", TS), ("spec_itemid", I64),
        ("spec_type_desc", STR), ("test_seq", I64), ("storedate", TS), ("storetime", TS),
        ("test_itemid", I64), ("test_name", STR), ("org_itemid", I64), ("org_name", STR),
        ("isolate_num", I64), ("quantity", STR), ("ab_itemid", I64), ("ab_name", STR),
        ("dilution_text", STR), ("dilution_comparison", STR), ("dilution_value", F64),
        ("interpretation", STR), ("comments", STR),
    ]),
    "prescriptions": ("hosp", [
        ("subject_id", I64), ("hadm_id", I64), ("pharmacy_id", I64), ("poe_id", STR), ("poe_seq", I64),
        ("order_provider_id", STR), ("starttime", TS), ("stoptime", TS), ("drug_type", STR), ("drug", STR),
        ("formulary_drug_cd", STR), ("gsn", STR), ("ndc", STR), ("prod_strength", STR), ("form_rx", STR),
        ("dose_val_rx", STR), ("dose_unit_rx", STR), ("form_val_disp", STR), ("form_unit_disp", STR),
        ("doses_per_24_hrs", I64), ("route", STR),
    ]),
    "icustays": ("icu", [
        ("subject_id", I64), ("hadm_id", I64), ("stay_id", I64), ("first_careunit", STR),
        ("last_careunit", STR), ("intime", TS), ("outtime", TS), ("los", F64),
    ]),
    "d_items": ("icu", [
        ("itemid", I64), ("label", STR), ("abbreviation", STR), ("linksto", STR), ("category", STR),
        ("unitname", STR), ("param_type", STR), ("lownormalvalue", I64), ("highnormalvalue", F64),
    ]),
    "chartevents": ("icu", [
        ("subject_id", I64), ("hadm_id", I64), ("stay_id", I64), ("caregiver_id", I64), ("charttime", TS),
        ("storetime", TS), ("itemid", I64), ("value", STR), ("valuenum", F64), ("valueuom", STR),
        ("warning", I64),
    ]),
    "inputevents": ("icu", [
        ("subject_id", I64), ("hadm_id", I64), ("stay_id", I64), ("caregiver_id", I64), ("starttime", TS),
        ("endtime", TS), ("storetime", TS), ("itemid", I64), ("amount", F64), ("amountuom", STR),
        ("rate", F64), ("rateuom", STR), ("orderid", I64), ("linkorderid", I64), ("ordercategoryname", STR),
        ("secondaryordercategoryname", STR), ("ordercomponenttypedescription", STR),
        ("ordercategorydescription", STR), ("patientweight", F64), ("totalamount", F64),
        ("totalamountuom", STR), ("isopenbag", I64), ("continueinnextdept", I64),
        ("statusdescription", STR), ("originalamount", F64), ("originalrate", F64),
    ]),
    "outputevents": ("icu", [
        ("subject_id", I64), ("hadm_id", I64), ("stay_id", I64), ("caregiver_id", I64), ("charttime", TS),
        ("storetime", TS), ("itemid", I64), ("value", I64), ("valueuom", STR),
    ]),
    "procedureevents": ("icu", [
        ("subject_id", I64), ("hadm_id", I64), ("stay_id", I64), ("caregiver_id", I64), ("starttime", TS),
        ("endtime", TS), ("storetime", TS), ("itemid", I64), ("value", F64), ("valueuom", STR),
        ("location", STR), ("locationcategory", STR), ("orderid", I64), ("linkorderid", I64),
        ("ordercategoryname", STR), ("ordercategorydescription", STR), ("patientweight", F64),
        ("isopenbag", I64), ("continueinnextdept", I64), ("statusdescription", STR),
        ("originalamount", F64), ("originalrate", I64),
    ]),
}

# Columns whose type in the real demo files differs from what this generator writes, and why.
# The conformance test allows exactly these (demo type -> generated type).
KNOWN_TYPE_DIFFERENCES: dict[tuple[str, str], str] = {
    ("chartevents", "caregiver_id"): "demo chartevents is reconstructed: caregiver_id empty (VARCHAR)",
    ("chartevents", "storetime"): "demo chartevents is reconstructed: storetime empty (VARCHAR)",
    ("chartevents", "value"): "demo chartevents is reconstructed: value is the text of valuenum (DOUBLE)",
    ("chartevents", "warning"): "demo chartevents is reconstructed: warning empty (VARCHAR)",
}
# Header spellings that differ from the demo (compared case-insensitively otherwise).
KNOWN_NAME_DIFFERENCES: dict[tuple[str, str], str] = {
    ("procedureevents", "originalamount"): "demo header is ORIGINALAMOUNT; full MIMIC-IV is lower case",
    ("procedureevents", "originalrate"): "demo header is ORIGINALRATE; full MIMIC-IV is lower case",
}


def arrow_schema(table: str) -> pa.Schema:
    """The arrow schema of one table, in file column order."""
    return pa.schema(TABLES[table][1])
