"""Real MIMIC-IV vocabularies the generator draws from: dictionary rows, units, text values.

Every itemid, label, unit and text value here is a real MIMIC-IV one (checked against the open demo
v2.2 dictionaries, d_items and d_labitems, and the facts in reference/mimic-iv-concepts.md). Only the
items the generator writes are listed.
"""
from __future__ import annotations

from typing import NamedTuple


class DItem(NamedTuple):
    """An icu.d_items row."""
    itemid: int
    label: str
    abbreviation: str
    linksto: str
    category: str
    unitname: str | None
    param_type: str
    lownormalvalue: int | None
    highnormalvalue: float | None


class DLabItem(NamedTuple):
    """A hosp.d_labitems row."""
    itemid: int
    label: str
    fluid: str
    category: str


class LabUnit(NamedTuple):
    """A lab item's valueuom, reference range and decimals."""
    valueuom: str | None
    ref_range_lower: float | None
    ref_range_upper: float | None
    decimals: int


class ChartItem(NamedTuple):
    """A numeric chartevents padding item: unit and the normal distribution of its value."""
    valueuom: str | None
    mean: float
    sd: float
    decimals: int


class Drug(NamedTuple):
    """The prescriptions columns of one drug order."""
    drug_type: str
    drug: str
    formulary_drug_cd: str
    gsn: str                 # '' is NULL
    ndc: str
    prod_strength: str
    dose_val_rx: str
    dose_unit_rx: str
    form_val_disp: str
    form_unit_disp: str
    doses_per_24_hrs: int
    route: str


class Culture(NamedTuple):
    spec_itemid: int
    spec_type_desc: str
    test_itemid: int
    test_name: str


class Organism(NamedTuple):
    org_itemid: int
    org_name: str


class Susceptibility(NamedTuple):
    ab_itemid: int
    ab_name: str


class Dx(NamedTuple):
    icd_code: str
    icd_version: int


class VasoactiveAgent(NamedTuple):
    """An inputevents vasoactive drip: its item, rate unit, amount unit and bag volumes."""
    itemid: int
    rateuom: str
    amountuom: str
    totalamount: float
    originalamount: float


# The vasoactive agents, in the order their rows are written.
VASOACTIVE_AGENTS = {
    "norepinephrine": VasoactiveAgent(221906, "mcg/kg/min", "mg", 250.0, 8.0),
    "dopamine": VasoactiveAgent(221662, "mcg/kg/min", "mg", 250.0, 400.0),
    "epinephrine": VasoactiveAgent(221289, "mcg/kg/min", "mg", 250.0, 2.0),
    "phenylephrine": VasoactiveAgent(221749, "mcg/kg/min", "mg", 250.0, 60.0),
    "vasopressin": VasoactiveAgent(222315, "units/hour", "units", 100.0, 40.0),
    "dobutamine": VasoactiveAgent(221653, "mcg/kg/min", "mg", 250.0, 250.0),
    "milrinone": VasoactiveAgent(221986, "mcg/kg/min", "mg", 100.0, 20.0),
}

# icu.d_items rows: itemid, label, abbreviation, linksto, category, unitname, param_type,
# lownormalvalue, highnormalvalue.
D_ITEMS = [
    DItem(220045, 'Heart Rate', 'HR', 'chartevents', 'Routine Vital Signs', 'bpm', 'Numeric', None, None),
    DItem(220046, 'Heart rate Alarm - High', 'HR Alarm - High', 'chartevents', 'Alarms', 'bpm', 'Numeric', None, None),
    DItem(220047, 'Heart Rate Alarm - Low', 'HR Alarm - Low', 'chartevents', 'Alarms', 'bpm', 'Numeric', None, None),
    DItem(220050, 'Arterial Blood Pressure systolic', 'ABPs', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric',
          90, 140.0),
    DItem(220051, 'Arterial Blood Pressure diastolic', 'ABPd', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric',
          60, 90.0),
    DItem(220052, 'Arterial Blood Pressure mean', 'ABPm', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric',
          None, None),
    DItem(220179, 'Non Invasive Blood Pressure systolic', 'NBPs', 'chartevents', 'Routine Vital Signs', 'mmHg',
          'Numeric', None, None),
    DItem(220180, 'Non Invasive Blood Pressure diastolic', 'NBPd', 'chartevents', 'Routine Vital Signs', 'mmHg',
          'Numeric', None, None),
    DItem(220181, 'Non Invasive Blood Pressure mean', 'NBPm', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric',
          None, None),
    DItem(220210, 'Respiratory Rate', 'RR', 'chartevents', 'Respiratory', 'insp/min', 'Numeric', None, None),
    DItem(220277, 'O2 saturation pulseoxymetry', 'SpO2', 'chartevents', 'Respiratory', '%', 'Numeric', None, None),
    DItem(220339, 'PEEP set', 'PEEP set', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric', None, None),
    DItem(220602, 'Chloride (serum)', 'Chloride (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(220615, 'Creatinine (serum)', 'Creatinine (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(220621, 'Glucose (serum)', 'Glucose (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(220645, 'Sodium (serum)', 'Sodium (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(220739, 'GCS - Eye Opening', 'Eye Opening', 'chartevents', 'Neurological', None, 'Text', None, None),
    DItem(221289, 'Epinephrine', 'Epinephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221653, 'Dobutamine', 'Dobutamine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221662, 'Dopamine', 'Dopamine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221744, 'Fentanyl', 'Fentanyl', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221749, 'Phenylephrine', 'Phenylephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221906, 'Norepinephrine', 'Norepinephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(221986, 'Milrinone', 'Milrinone', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(222168, 'Propofol', 'Propofol', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    DItem(222315, 'Vasopressin', 'Vasopressin', 'inputevents', 'Medications', 'units', 'Solution', None, None),
    DItem(223258, 'Insulin - Regular', 'Insulin - Regular', 'inputevents', 'Medications', 'units', 'Solution', None,
          None),
    DItem(223761, 'Temperature Fahrenheit', 'Temperature F', 'chartevents', 'Routine Vital Signs', '°F', 'Numeric',
          None, None),
    DItem(223762, 'Temperature Celsius', 'Temperature C', 'chartevents', 'Routine Vital Signs', '°C', 'Numeric', None,
          None),
    DItem(223769, 'O2 Saturation Pulseoxymetry Alarm - High', 'SpO2 Alarm - High', 'chartevents', 'Alarms', '%',
          'Numeric', None, None),
    DItem(223770, 'O2 Saturation Pulseoxymetry Alarm - Low', 'SpO2 Alarm - Low', 'chartevents', 'Alarms', '%',
          'Numeric', None, None),
    DItem(223834, 'O2 Flow', 'O2 Flow', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, None),
    DItem(223835, 'Inspired O2 Fraction', 'FiO2', 'chartevents', 'Respiratory', 'None', 'Numeric', None, None),
    DItem(223849, 'Ventilator Mode', 'Ventilator Mode', 'chartevents', 'Respiratory', None, 'Text', None, None),
    DItem(223900, 'GCS - Verbal Response', 'Verbal Response', 'chartevents', 'Neurological', None, 'Text', None, None),
    DItem(223901, 'GCS - Motor Response', 'Motor Response', 'chartevents', 'Neurological', None, 'Text', None, None),
    DItem(224161, 'Resp Alarm - High', 'Resp Alarm - High', 'chartevents', 'Alarms', 'insp/min', 'Numeric', None, None),
    DItem(224162, 'Resp Alarm - Low', 'Resp Alarm - Low', 'chartevents', 'Alarms', 'insp/min', 'Numeric', None, None),
    DItem(224263, 'Multi Lumen', 'Multi Lumen', 'procedureevents', 'Access Lines - Invasive', 'None', 'Processes',
          None, None),
    DItem(224277, '18 Gauge', '18 Gauge', 'procedureevents', 'Access Lines - Peripheral', 'None', 'Processes', None,
          None),
    DItem(224639, 'Daily Weight', 'Daily Weight', 'chartevents', 'General', 'kg', 'Numeric', None, None),
    DItem(224642, 'Temperature Site', 'Temp Site', 'chartevents', 'Routine Vital Signs', None, 'Text', None, None),
    DItem(224685, 'Tidal Volume (observed)', 'Tidal Volume (observed)', 'chartevents', 'Respiratory', 'mL', 'Numeric',
          299, 750.0),
    DItem(224687, 'Minute Volume', 'Minute Volume', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None,
          12.100000381469727),
    DItem(224690, 'Respiratory Rate (Total)', 'Respiratory Rate (Total)', 'chartevents', 'Respiratory', 'insp/min',
          'Numeric', None, 36.0),
    DItem(224695, 'Peak Insp. Pressure', 'Peak Insp. Pressure', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric', None,
          None),
    DItem(224697, 'Mean Airway Pressure', 'Mean Airway Pressure', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric',
          None, None),
    DItem(225158, 'NaCl 0.9%', 'NaCl 0.9%', 'inputevents', 'Fluids/Intake', 'mL', 'Solution', None, None),
    DItem(225624, 'BUN', 'BUN', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(225664, 'Glucose finger stick (range 70-100)', 'Glucose FS (range 70 -100)', 'chartevents', 'Labs', 'None',
          'Numeric', None, None),
    DItem(225752, 'Arterial Line', 'Arterial Line', 'procedureevents', 'Access Lines - Invasive', 'None', 'Processes',
          None, None),
    DItem(225792, 'Invasive Ventilation', 'Invasive Ventilation', 'procedureevents', '2-Ventilation', 'None',
          'Processes', None, None),
    DItem(226253, 'SpO2 Desat Limit', 'SpO2 Desat Limit', 'chartevents', 'Alarms', '%', 'Numeric', None, None),
    DItem(226512, 'Admission Weight (Kg)', 'Admission Weight (Kg)', 'chartevents', 'General', 'kg', 'Numeric', None,
          None),
    DItem(226559, 'Foley', 'Foley', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    DItem(226560, 'Void', 'Void', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    DItem(226561, 'Condom Cath', 'Condom Cath', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    DItem(226707, 'Height', 'Height', 'chartevents', 'General', 'Inch', 'Numeric', None, None),
    DItem(226730, 'Height (cm)', 'Height (cm)', 'chartevents', 'General', 'cm', 'Numeric', None, None),
    DItem(226732, 'O2 Delivery Device(s)', 'O2 Delivery Device(s)', 'chartevents', 'Respiratory', None, 'Text', None,
          None),
    DItem(227073, 'Anion gap', 'Anion gap', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    DItem(227287, 'O2 Flow (additional cannula)', 'O2 Flow (additional cannula)', 'chartevents', 'Respiratory',
          'L/min', 'Numeric', None, None),
    DItem(227442, 'Potassium (serum)', 'Potassium (serum)', 'chartevents', 'Labs', 'None', 'Numeric with tag', None,
          None),
    DItem(227443, 'HCO3 (serum)', 'HCO3 (serum)', 'chartevents', 'Labs', 'None', 'Numeric with tag', None, None),
    DItem(227488, 'GU Irrigant Volume In', 'GU Irrigant Volume In', 'outputevents', 'Output', 'mL', 'Numeric', None,
          None),
    DItem(227489, 'GU Irrigant/Urine Volume Out', 'GU Irrigant/Urine Volume Out', 'outputevents', 'Output', 'mL',
          'Numeric', None, None),
    DItem(227582, 'BiPap O2 Flow', 'BiPap O2 Flow', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, None),
    DItem(229314, 'Ventilator Mode (Hamilton)', 'Ventilator Mode (Hamilton)', 'chartevents', 'Respiratory', None,
          'Text', None, None),
]

# hosp.d_labitems rows: itemid, label, fluid, category.
D_LABITEMS = [
    DLabItem(50802, 'Base Excess', 'Blood', 'Blood Gas'),
    DLabItem(50804, 'Calculated Total CO2', 'Blood', 'Blood Gas'),
    DLabItem(50813, 'Lactate', 'Blood', 'Blood Gas'),
    DLabItem(50816, 'Oxygen', 'Blood', 'Blood Gas'),
    DLabItem(50818, 'pCO2', 'Blood', 'Blood Gas'),
    DLabItem(50820, 'pH', 'Blood', 'Blood Gas'),
    DLabItem(50821, 'pO2', 'Blood', 'Blood Gas'),
    DLabItem(50861, 'Alanine Aminotransferase (ALT)', 'Blood', 'Chemistry'),
    DLabItem(50862, 'Albumin', 'Blood', 'Chemistry'),
    DLabItem(50863, 'Alkaline Phosphatase', 'Blood', 'Chemistry'),
    DLabItem(50868, 'Anion Gap', 'Blood', 'Chemistry'),
    DLabItem(50878, 'Asparate Aminotransferase (AST)', 'Blood', 'Chemistry'),
    DLabItem(50882, 'Bicarbonate', 'Blood', 'Chemistry'),
    DLabItem(50885, 'Bilirubin, Total', 'Blood', 'Chemistry'),
    DLabItem(50893, 'Calcium, Total', 'Blood', 'Chemistry'),
    DLabItem(50902, 'Chloride', 'Blood', 'Chemistry'),
    DLabItem(50912, 'Creatinine', 'Blood', 'Chemistry'),
    DLabItem(50931, 'Glucose', 'Blood', 'Chemistry'),
    DLabItem(50954, 'Lactate Dehydrogenase (LD)', 'Blood', 'Chemistry'),
    DLabItem(50960, 'Magnesium', 'Blood', 'Chemistry'),
    DLabItem(50970, 'Phosphate', 'Blood', 'Chemistry'),
    DLabItem(50971, 'Potassium', 'Blood', 'Chemistry'),
    DLabItem(50983, 'Sodium', 'Blood', 'Chemistry'),
    DLabItem(51006, 'Urea Nitrogen', 'Blood', 'Chemistry'),
    DLabItem(51146, 'Basophils', 'Blood', 'Hematology'),
    DLabItem(51200, 'Eosinophils', 'Blood', 'Hematology'),
    DLabItem(51221, 'Hematocrit', 'Blood', 'Hematology'),
    DLabItem(51222, 'Hemoglobin', 'Blood', 'Hematology'),
    DLabItem(51237, 'INR(PT)', 'Blood', 'Hematology'),
    DLabItem(51244, 'Lymphocytes', 'Blood', 'Hematology'),
    DLabItem(51248, 'MCH', 'Blood', 'Hematology'),
    DLabItem(51249, 'MCHC', 'Blood', 'Hematology'),
    DLabItem(51250, 'MCV', 'Blood', 'Hematology'),
    DLabItem(51254, 'Monocytes', 'Blood', 'Hematology'),
    DLabItem(51256, 'Neutrophils', 'Blood', 'Hematology'),
    DLabItem(51265, 'Platelet Count', 'Blood', 'Hematology'),
    DLabItem(51274, 'PT', 'Blood', 'Hematology'),
    DLabItem(51275, 'PTT', 'Blood', 'Hematology'),
    DLabItem(51277, 'RDW', 'Blood', 'Hematology'),
    DLabItem(51279, 'Red Blood Cells', 'Blood', 'Hematology'),
    DLabItem(51301, 'White Blood Cells', 'Blood', 'Hematology'),
    DLabItem(52033, 'Specimen Type', 'Blood', 'Blood Gas'),
]

# Lab panels: itemid -> (valueuom, ref_range_lower, ref_range_upper, decimals). Values come from the
# latent model for the concept labs and from a plausible normal range for the padding labs.
LAB_UNITS = {
    50912: LabUnit('mg/dL', 0.5, 1.2, 1), 51006: LabUnit('mg/dL', 6.0, 20.0, 0), 50882: LabUnit('mEq/L', 22.0, 32.0, 0),
    50983: LabUnit('mEq/L', 133.0, 145.0, 0), 50971: LabUnit('mEq/L', 3.3, 5.1, 1),
    50902: LabUnit('mEq/L', 96.0, 108.0, 0),
    50931: LabUnit('mg/dL', 70.0, 100.0, 0), 50868: LabUnit('mEq/L', 10.0, 18.0, 0),
    51265: LabUnit('K/uL', 150.0, 400.0, 0),
    51301: LabUnit('K/uL', 4.0, 10.0, 1), 51222: LabUnit('g/dL', 13.7, 17.5, 1), 51221: LabUnit('%', 40.0, 51.0, 1),
    50885: LabUnit('mg/dL', 0.0, 1.5, 1), 51274: LabUnit('sec', 9.4, 12.5, 1), 51237: LabUnit(None, 0.9, 1.1, 1),
    51275: LabUnit('sec', 25.0, 36.5, 1), 50821: LabUnit('mm Hg', 85.0, 105.0, 0),
    50818: LabUnit('mm Hg', 35.0, 45.0, 0),
    50820: LabUnit('units', 7.35, 7.45, 2), 50802: LabUnit('mEq/L', None, None, 0),
    50813: LabUnit('mmol/L', 0.5, 2.0, 1),
    50816: LabUnit('%', None, None, 0), 50804: LabUnit('mEq/L', 21.0, 30.0, 0),
    # padding panels (realistic profile): typical value, sd
    50893: LabUnit('mg/dL', 8.4, 10.3, 1), 50960: LabUnit('mg/dL', 1.6, 2.6, 1), 50970: LabUnit('mg/dL', 2.7, 4.5, 1),
    51250: LabUnit('fL', 82.0, 98.0, 0), 51248: LabUnit('pg', 26.0, 32.0, 1), 51279: LabUnit('m/uL', 4.6, 6.1, 2),
    51277: LabUnit('%', 10.5, 15.5, 1), 51249: LabUnit('g/dL', 32.0, 37.0, 1), 50878: LabUnit('IU/L', 0.0, 40.0, 0),
    50861: LabUnit('IU/L', 0.0, 40.0, 0), 50863: LabUnit('IU/L', 40.0, 130.0, 0), 51256: LabUnit('%', 34.0, 71.0, 1),
    51254: LabUnit('%', 5.0, 13.0, 1), 51200: LabUnit('%', 1.0, 7.0, 1), 51244: LabUnit('%', 19.0, 53.0, 1),
    51146: LabUnit('%', 0.0, 1.0, 1), 50862: LabUnit('g/dL', 3.5, 5.2, 1), 50954: LabUnit('IU/L', 94.0, 250.0, 0),
}
# padding labs: itemid -> (mean, sd) of a plausible ICU value
LAB_PADDING = {
    50893: (8.4, 0.7), 50960: (2.0, 0.3), 50970: (3.6, 1.0), 51250: (91.0, 6.0), 51248: (30.0, 2.0),
    51279: (3.3, 0.6), 51277: (15.4, 2.0), 51249: (32.5, 1.2), 50878: (45.0, 30.0), 50861: (35.0, 25.0),
    50863: (95.0, 40.0), 51256: (72.0, 12.0), 51254: (6.5, 2.5), 51200: (1.2, 1.0), 51244: (15.0, 8.0),
    51146: (0.3, 0.2), 50862: (3.0, 0.6), 50954: (280.0, 90.0),
}

# chartevents padding (numeric, non-concept items): itemid -> (valueuom, mean, sd, decimals)
CHART_PADDING = {
    220046: ChartItem('bpm', 120.0, 5.0, 0), 220047: ChartItem('bpm', 50.0, 3.0, 0),
    223769: ChartItem('%', 100.0, 0.0, 0),
    223770: ChartItem('%', 90.0, 2.0, 0), 224161: ChartItem('insp/min', 35.0, 3.0, 0),
    224162: ChartItem('insp/min', 8.0, 1.0, 0),
    226253: ChartItem('%', 88.0, 2.0, 0), 225664: ChartItem(None, 150.0, 40.0, 0),
    220602: ChartItem('mEq/L', 103.0, 5.0, 0),
    227442: ChartItem('mEq/L', 4.1, 0.5, 1), 220645: ChartItem('mEq/L', 138.0, 4.0, 0),
    227443: ChartItem('mEq/L', 23.0, 4.0, 0),
    227073: ChartItem('mEq/L', 15.0, 3.0, 0), 220621: ChartItem('mg/dL', 150.0, 50.0, 0),
    220615: ChartItem('mg/dL', 1.4, 0.8, 1),
    225624: ChartItem('mg/dL', 30.0, 15.0, 0), 224687: ChartItem('L/min', 9.0, 2.5, 1),
    224697: ChartItem('cmH2O', 10.0, 3.0, 0),
    224690: ChartItem('insp/min', 20.0, 5.0, 0), 224685: ChartItem('mL', 450.0, 80.0, 0),
    224695: ChartItem('cmH2O', 20.0, 6.0, 0),
}

# GCS text values (chartevents.value) with their valuenum, best to worst.
GCS_EYES = ['Spontaneously', 'To Speech', 'To Pain', 'None']               # 4..1
GCS_VERBAL = ['Oriented', 'Confused', 'Inappropriate Words', 'Incomprehensible sounds', 'No Response']  # 5..1
GCS_VERBAL_ETT = 'No Response-ETT'                                           # valuenum 1, intubated
GCS_MOTOR = ['Obeys Commands', 'Localizes Pain', 'Flex-withdraws', 'Abnormal Flexion',
             'Abnormal extension', 'No response']                            # 6..1

# Respiratory support text as MIMIC-IV charts it (trailing spaces included: 'Trach mask ', 'Bipap mask ',
# ...), with charting frequencies: (text, probability). Every text mimic-code's ventilation maps is
# charted, the common ones dominate, and a few texts it does not map ('Standby', 'T-piece', 'Other')
# exercise the unmapped path. Ventilator Mode (223849) while invasively ventilated, by phase:
VENT_MODES_RARE = ['(S) CMV', 'APRV/Biphasic+ApnPress', 'APRV/Biphasic+ApnVol', 'APV (cmv)', 'Ambient',
                   'Apnea Ventilation', 'CMV', 'MMV', 'MMV/AutoFlow', 'MMV/PSV', 'P-CMV', 'PCV+', 'PCV+/PSV',
                   'PRES/AC', 'PRVC/SIMV', 'SIMV', 'SIMV/PRES', 'SIMV/PSV', 'SIMV/VOL', 'SYNCHRON MASTER',
                   'SYNCHRON SLAVE', 'VOL/AC']
VENT_MODES_CONTROLLED = [('CMV/ASSIST/AutoFlow', 0.51), ('CMV/ASSIST', 0.12), ('SIMV/PSV/AutoFlow', 0.06),
                         ('PRVC/AC', 0.05), ('PCV+Assist', 0.04), ('APRV', 0.03), ('CMV/AutoFlow', 0.02),
                         ('SIMV/AutoFlow', 0.015), ('MMV/PSV/AutoFlow', 0.015), ('Standby', 0.03)] + \
                        [(m, 0.11 / len(VENT_MODES_RARE)) for m in VENT_MODES_RARE]
VENT_MODES_WEANING = [('CPAP/PSV', 0.72), ('CPAP/PPS', 0.06), ('CPAP/PSV+ApnPres', 0.05), ('CPAP/PSV+ApnVol', 0.05),
                      ('CPAP/PSV+Apn TCPL', 0.02), ('PSV/SBT', 0.05), ('Standby', 0.05)]
# Ventilator Mode (Hamilton) (229314) on the stays ventilated by a Hamilton ventilator, and its NIV modes
HAMILTON_MODES_CONTROLLED = [('APV (cmv)', 0.35), ('ASV', 0.20), ('P-CMV', 0.12), ('(S) CMV', 0.10), ('SIMV', 0.05),
                             ('APV (simv)', 0.05), ('P-SIMV', 0.05), ('APRV', 0.05), ('Ambient', 0.03)]
HAMILTON_MODES_WEANING = [('VS', 0.55), ('ASV', 0.35), ('APV (simv)', 0.10)]
HAMILTON_MODES_NIV = [('NIV', 0.5), ('NIV-ST', 0.3), ('DuoPaP', 0.2)]
# O2 Delivery Device(s) (226732): invasive airways, NIV masks (BiPAP 62 %, as in MIMIC), high flow, and the
# usual supplemental O2 device of a stay (its O2 flow: 223834; 227582 BiPap O2 Flow on NIV)
ETT, TRACH_TUBE, TRACH_MASK, T_PIECE = 'Endotracheal tube', 'Tracheostomy tube', 'Trach mask ', 'T-piece'
NIV_MASKS = ['Bipap mask ', 'CPAP mask ']
HFNC = 'High flow nasal cannula'
O2_DEVICES = [('Nasal cannula', 0.63), ('Face tent', 0.08), ('Aerosol-cool', 0.07), ('High flow neb', 0.05),
              ('Non-rebreather', 0.04), ('Venti mask ', 0.03), ('Medium conc mask ', 0.03), ('Oxymizer', 0.02),
              ('Ultrasonic neb', 0.01), ('Vapomist', 0.01), ('Other', 0.03)]

# ICU careunits and services (real MIMIC-IV strings).
CAREUNITS_MEDICAL = ['Medical Intensive Care Unit (MICU)', 'Medical/Surgical Intensive Care Unit (MICU/SICU)']
CAREUNITS_SURGICAL = ['Surgical Intensive Care Unit (SICU)', 'Trauma SICU (TSICU)']
CAREUNITS_CARDIAC = ['Cardiac Vascular Intensive Care Unit (CVICU)', 'Coronary Care Unit (CCU)']
WARDS = ['Medicine', 'Med/Surg', 'Surgery', 'Cardiology', 'Medicine/Cardiology', 'Hematology/Oncology']

ADMISSION_TYPES_EMERGENCY = ['EW EMER.', 'URGENT', 'DIRECT EMER.', 'OBSERVATION ADMIT']
ADMISSION_LOCATIONS = ['EMERGENCY ROOM', 'TRANSFER FROM HOSPITAL', 'PHYSICIAN REFERRAL', 'WALK-IN/SELF REFERRAL']
DISCHARGE_LOCATIONS_ALIVE = ['HOME', 'HOME HEALTH CARE', 'SKILLED NURSING FACILITY', 'REHAB',
                             'CHRONIC/LONG TERM ACUTE CARE', 'HOSPICE']
# v3.x insurance values (v2.2 had Medicaid/Medicare/Other only).
INSURANCE = ['Medicare', 'Medicaid', 'Private', 'Other', 'No charge']
MARITAL = ['MARRIED', 'SINGLE', 'WIDOWED', 'DIVORCED', None]
RACE = ['WHITE', 'BLACK/AFRICAN AMERICAN', 'HISPANIC/LATINO - PUERTO RICAN', 'ASIAN', 'OTHER', 'UNKNOWN',
        'WHITE - OTHER EUROPEAN', 'ASIAN - CHINESE', 'UNABLE TO OBTAIN', 'BLACK/CAPE VERDEAN',
        'HISPANIC OR LATINO', 'WHITE - RUSSIAN']
RACE_P = [0.62, 0.10, 0.03, 0.02, 0.04, 0.06, 0.03, 0.02, 0.02, 0.02, 0.02, 0.02]
LANGUAGES = ['English', 'Spanish', 'Chinese', 'Russian', 'Portuguese', 'Haitian', 'Other']
LANGUAGES_P = [0.88, 0.04, 0.02, 0.02, 0.01, 0.01, 0.02]
ANCHOR_YEAR_GROUPS = ['2008 - 2010', '2011 - 2013', '2014 - 2016', '2017 - 2019', '2020 - 2022']

# Antibiotics (prescriptions), all IV, drug_type MAIN.
ANTIBIOTICS = [
    Drug('MAIN', 'Vancomycin', 'VANC1F', '043952', '00338355248', '1g Frozen Bag', '1000', 'mg', '1', 'BAG', 2, 'IV'),
    Drug('MAIN', 'Piperacillin-Tazobactam', 'ZOSY4FPB', '062588', '00206886202', '4.5 g Frozen Bag', '4.5', 'g', '1',
         'BAG', 3, 'IV'),
    Drug('MAIN', 'CefePIME', 'CEFE2I', '060002', '00409973701', '2g Vial', '2', 'g', '1', 'VIAL', 2, 'IV'),
    Drug('MAIN', 'CeftriaXONE', 'CEFR1MB', '009227', '00409733201', '1g Vial (For Mini Bag plus)', '1', 'gm', '1',
         'VIAL', 1, 'IV'),
    Drug('MAIN', 'Meropenem', 'MERO1I', '040453', '63323050720', '1000mg Vial', '1000', 'mg', '1', 'VIAL', 3, 'IV'),
    Drug('MAIN', 'MetRONIDAZOLE (FLagyl)', 'METR500PM', '008883', '00338105548', '500mg Premix Bag', '500', 'mg', '1',
         'BAG', 3, 'IV'),
    Drug('MAIN', 'Levofloxacin', 'LEVO750PM', '037847', '00045006801', '750mg Premix Bag', '750', 'mg', '1', 'BAG', 1,
         'IV'),
    Drug('MAIN', 'Ciprofloxacin IV', 'CIPR400PM', '009450', '00409477886', '400mg Premix Bag', '400', 'mg', '1', 'BAG',
         2, 'IV'),
]
# Prophylactic / non-qualifying antibiotic orders (used for near-miss stays).
CEFAZOLIN = Drug('MAIN', 'CefazoLIN', 'CEFA2D', '009142', '00264310311', '2g Duplex Bag', '2', 'g', '1', 'BAG', 3, 'IV')
# Excluded by the mimic-code antibiotic filter (eye route), and a BASE row.
ERYTHRO_OPHTH = Drug('MAIN', 'Erythromycin 0.5% Ophth Oint', 'ERYT35O', '007385', '24208091055', '3.5g Tube', '0.5',
                     'in', '0.1', 'g', 2, 'OU')
# Common non-antibiotic ICU orders (padding and realism).
OTHER_DRUGS = [
    Drug('MAIN', 'Heparin', 'HEPA5I', '006549', '63323026201', '5000 Units / mL- 1mL Vial', '5000', 'UNIT', '1', 'mL',
         3, 'SC'),
    Drug('MAIN', 'Pantoprazole', 'PANT40I', '033530', '00008092355', '40mg Vial', '40', 'mg', '1', 'VIAL', 1, 'IV'),
    Drug('MAIN', 'Acetaminophen', 'ACET325', '004489', '00904198861', '325mg Tablet', '325-650', 'mg', '1-2', 'TAB', 4,
         'PO/NG'),
    Drug('MAIN', 'Insulin', 'INSULIN', '', '00002751001', '100 Units / mL - 10 mL Vial', '0', 'UNIT', '0', 'mL', 4,
         'SC'),
    Drug('BASE', 'Sodium Chloride 0.9%  Flush', 'NACLFLUSH', '', '00000000000', '10 mL Syringe', '3', 'mL', '0.3',
         'SYR', 3, 'IV'),
    Drug('MAIN', 'Norepinephrine', 'LEVO4/250', '002024', '00409144301', '4 mg / 250 mL Premix Bag', '0.03-0.5',
         'mcg/kg/min', '0.1', 'BAG', 0, 'IV DRIP'),
]

# Cultures: spec_itemid, spec_type_desc, test_itemid, test_name
CULTURES = [
    Culture(70012, 'BLOOD CULTURE', 90201, 'Blood Culture, Routine'),
    Culture(70079, 'URINE', 90039, 'URINE CULTURE'),
    Culture(70062, 'SPUTUM', 90055, 'RESPIRATORY CULTURE'),
    Culture(70021, 'BRONCHOALVEOLAR LAVAGE', 90055, 'RESPIRATORY CULTURE'),
    Culture(70070, 'SWAB', 90046, 'WOUND CULTURE'),
    Culture(70091, 'MRSA SCREEN', 90189, 'MRSA SCREEN'),
]
CULTURES_P = [0.45, 0.25, 0.12, 0.05, 0.05, 0.08]
ORGANISMS = [
    Organism(80002, 'ESCHERICHIA COLI'), Organism(80023, 'STAPH AUREUS COAG +'),
    Organism(80004, 'KLEBSIELLA PNEUMONIAE'),
    Organism(80026, 'PSEUDOMONAS AERUGINOSA'), Organism(80053, 'ENTEROCOCCUS SP.'),
    Organism(80155, 'STAPHYLOCOCCUS, COAGULASE NEGATIVE'),
    Organism(80017, 'PROTEUS MIRABILIS'),
]
# Susceptibility panel rows for a positive isolate: ab_itemid, ab_name
SUSCEPTIBILITY = [Susceptibility(90015, 'VANCOMYCIN'), Susceptibility(90018, 'CEFTRIAXONE'),
                  Susceptibility(90007, 'CLINDAMYCIN'), Susceptibility(90026, 'GENTAMICIN')]

# Diagnoses (icd_code, icd_version): sepsis/shock/infection and comorbidities (SAPS-II chronic disease
# groups included: metastatic cancer, haematologic malignancy, AIDS).
DX_SEPSIS_10 = [Dx('A419', 10), Dx('R6520', 10), Dx('J189', 10), Dx('N390', 10)]
DX_SHOCK_10 = [Dx('R6521', 10)]
DX_COMMON_10 = [Dx('I10', 10), Dx('E119', 10), Dx('N179', 10), Dx('I480', 10), Dx('E785', 10), Dx('J9601', 10),
                Dx('I5023', 10), Dx('N183', 10), Dx('K7030', 10), Dx('D696', 10)]
DX_CHRONIC_10 = [Dx('C787', 10), Dx('C9000', 10), Dx('B20', 10)]
DX_SEPSIS_9 = [Dx('0389', 9), Dx('99591', 9), Dx('486', 9), Dx('5990', 9)]
DX_SHOCK_9 = [Dx('78552', 9)]
DX_COMMON_9 = [Dx('4019', 9), Dx('25000', 9), Dx('5849', 9), Dx('42731', 9), Dx('2724', 9), Dx('51881', 9),
               Dx('42823', 9), Dx('5853', 9), Dx('5712', 9), Dx('2875', 9)]
DX_CHRONIC_9 = [Dx('1977', 9), Dx('20300', 9), Dx('042', 9)]
DX_CARDIAC_10 = [Dx('I2510', 10), Dx('I351', 10), Dx('Z951', 10)]
DX_CARDIAC_9 = [Dx('41401', 9), Dx('4241', 9), Dx('V4581', 9)]
