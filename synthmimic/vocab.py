"""Real MIMIC-IV vocabularies the generator draws from: dictionary rows, units, text values.

Every itemid, label, unit and text value here is a real MIMIC-IV one (checked against the open demo
v2.2 dictionaries, d_items and d_labitems, and the facts in reference/mimic-iv-concepts.md). Only the
items the generator writes are listed.
"""
from __future__ import annotations

from typing import NamedTuple


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
    (220045, 'Heart Rate', 'HR', 'chartevents', 'Routine Vital Signs', 'bpm', 'Numeric', None, None),
    (220046, 'Heart rate Alarm - High', 'HR Alarm - High', 'chartevents', 'Alarms', 'bpm', 'Numeric', None, None),
    (220047, 'Heart Rate Alarm - Low', 'HR Alarm - Low', 'chartevents', 'Alarms', 'bpm', 'Numeric', None, None),
    (220050, 'Arterial Blood Pressure systolic', 'ABPs', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', 90, 140.0),
    (220051, 'Arterial Blood Pressure diastolic', 'ABPd', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', 60, 90.0),
    (220052, 'Arterial Blood Pressure mean', 'ABPm', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', None, None),
    (220179, 'Non Invasive Blood Pressure systolic', 'NBPs', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', None, None),
    (220180, 'Non Invasive Blood Pressure diastolic', 'NBPd', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', None, None),
    (220181, 'Non Invasive Blood Pressure mean', 'NBPm', 'chartevents', 'Routine Vital Signs', 'mmHg', 'Numeric', None, None),
    (220210, 'Respiratory Rate', 'RR', 'chartevents', 'Respiratory', 'insp/min', 'Numeric', None, None),
    (220277, 'O2 saturation pulseoxymetry', 'SpO2', 'chartevents', 'Respiratory', '%', 'Numeric', None, None),
    (220339, 'PEEP set', 'PEEP set', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric', None, None),
    (220602, 'Chloride (serum)', 'Chloride (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (220615, 'Creatinine (serum)', 'Creatinine (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (220621, 'Glucose (serum)', 'Glucose (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (220645, 'Sodium (serum)', 'Sodium (serum)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (220739, 'GCS - Eye Opening', 'Eye Opening', 'chartevents', 'Neurological', None, 'Text', None, None),
    (221289, 'Epinephrine', 'Epinephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221653, 'Dobutamine', 'Dobutamine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221662, 'Dopamine', 'Dopamine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221744, 'Fentanyl', 'Fentanyl', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221749, 'Phenylephrine', 'Phenylephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221906, 'Norepinephrine', 'Norepinephrine', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (221986, 'Milrinone', 'Milrinone', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (222168, 'Propofol', 'Propofol', 'inputevents', 'Medications', 'mg', 'Solution', None, None),
    (222315, 'Vasopressin', 'Vasopressin', 'inputevents', 'Medications', 'units', 'Solution', None, None),
    (223258, 'Insulin - Regular', 'Insulin - Regular', 'inputevents', 'Medications', 'units', 'Solution', None, None),
    (223761, 'Temperature Fahrenheit', 'Temperature F', 'chartevents', 'Routine Vital Signs', '°F', 'Numeric', None, None),
    (223762, 'Temperature Celsius', 'Temperature C', 'chartevents', 'Routine Vital Signs', '°C', 'Numeric', None, None),
    (223769, 'O2 Saturation Pulseoxymetry Alarm - High', 'SpO2 Alarm - High', 'chartevents', 'Alarms', '%', 'Numeric', None, None),
    (223770, 'O2 Saturation Pulseoxymetry Alarm - Low', 'SpO2 Alarm - Low', 'chartevents', 'Alarms', '%', 'Numeric', None, None),
    (223834, 'O2 Flow', 'O2 Flow', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, None),
    (223835, 'Inspired O2 Fraction', 'FiO2', 'chartevents', 'Respiratory', 'None', 'Numeric', None, None),
    (223849, 'Ventilator Mode', 'Ventilator Mode', 'chartevents', 'Respiratory', None, 'Text', None, None),
    (223900, 'GCS - Verbal Response', 'Verbal Response', 'chartevents', 'Neurological', None, 'Text', None, None),
    (223901, 'GCS - Motor Response', 'Motor Response', 'chartevents', 'Neurological', None, 'Text', None, None),
    (224161, 'Resp Alarm - High', 'Resp Alarm - High', 'chartevents', 'Alarms', 'insp/min', 'Numeric', None, None),
    (224162, 'Resp Alarm - Low', 'Resp Alarm - Low', 'chartevents', 'Alarms', 'insp/min', 'Numeric', None, None),
    (224263, 'Multi Lumen', 'Multi Lumen', 'procedureevents', 'Access Lines - Invasive', 'None', 'Processes', None, None),
    (224277, '18 Gauge', '18 Gauge', 'procedureevents', 'Access Lines - Peripheral', 'None', 'Processes', None, None),
    (224639, 'Daily Weight', 'Daily Weight', 'chartevents', 'General', 'kg', 'Numeric', None, None),
    (224642, 'Temperature Site', 'Temp Site', 'chartevents', 'Routine Vital Signs', None, 'Text', None, None),
    (224685, 'Tidal Volume (observed)', 'Tidal Volume (observed)', 'chartevents', 'Respiratory', 'mL', 'Numeric', 299, 750.0),
    (224687, 'Minute Volume', 'Minute Volume', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, 12.100000381469727),
    (224690, 'Respiratory Rate (Total)', 'Respiratory Rate (Total)', 'chartevents', 'Respiratory', 'insp/min', 'Numeric', None, 36.0),
    (224695, 'Peak Insp. Pressure', 'Peak Insp. Pressure', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric', None, None),
    (224697, 'Mean Airway Pressure', 'Mean Airway Pressure', 'chartevents', 'Respiratory', 'cmH2O', 'Numeric', None, None),
    (225158, 'NaCl 0.9%', 'NaCl 0.9%', 'inputevents', 'Fluids/Intake', 'mL', 'Solution', None, None),
    (225624, 'BUN', 'BUN', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (225664, 'Glucose finger stick (range 70-100)', 'Glucose FS (range 70 -100)', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (225752, 'Arterial Line', 'Arterial Line', 'procedureevents', 'Access Lines - Invasive', 'None', 'Processes', None, None),
    (225792, 'Invasive Ventilation', 'Invasive Ventilation', 'procedureevents', '2-Ventilation', 'None', 'Processes', None, None),
    (226253, 'SpO2 Desat Limit', 'SpO2 Desat Limit', 'chartevents', 'Alarms', '%', 'Numeric', None, None),
    (226512, 'Admission Weight (Kg)', 'Admission Weight (Kg)', 'chartevents', 'General', 'kg', 'Numeric', None, None),
    (226559, 'Foley', 'Foley', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    (226560, 'Void', 'Void', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    (226561, 'Condom Cath', 'Condom Cath', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    (226707, 'Height', 'Height', 'chartevents', 'General', 'Inch', 'Numeric', None, None),
    (226730, 'Height (cm)', 'Height (cm)', 'chartevents', 'General', 'cm', 'Numeric', None, None),
    (226732, 'O2 Delivery Device(s)', 'O2 Delivery Device(s)', 'chartevents', 'Respiratory', None, 'Text', None, None),
    (227073, 'Anion gap', 'Anion gap', 'chartevents', 'Labs', 'None', 'Numeric', None, None),
    (227287, 'O2 Flow (additional cannula)', 'O2 Flow (additional cannula)', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, None),
    (227442, 'Potassium (serum)', 'Potassium (serum)', 'chartevents', 'Labs', 'None', 'Numeric with tag', None, None),
    (227443, 'HCO3 (serum)', 'HCO3 (serum)', 'chartevents', 'Labs', 'None', 'Numeric with tag', None, None),
    (227488, 'GU Irrigant Volume In', 'GU Irrigant Volume In', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    (227489, 'GU Irrigant/Urine Volume Out', 'GU Irrigant/Urine Volume Out', 'outputevents', 'Output', 'mL', 'Numeric', None, None),
    (227582, 'BiPap O2 Flow', 'BiPap O2 Flow', 'chartevents', 'Respiratory', 'L/min', 'Numeric', None, None),
    (229314, 'Ventilator Mode (Hamilton)', 'Ventilator Mode (Hamilton)', 'chartevents', 'Respiratory', None, 'Text', None, None),
]

# hosp.d_labitems rows: itemid, label, fluid, category.
D_LABITEMS = [
    (50802, 'Base Excess', 'Blood', 'Blood Gas'),
    (50804, 'Calculated Total CO2', 'Blood', 'Blood Gas'),
    (50813, 'Lactate', 'Blood', 'Blood Gas'),
    (50816, 'Oxygen', 'Blood', 'Blood Gas'),
    (50818, 'pCO2', 'Blood', 'Blood Gas'),
    (50820, 'pH', 'Blood', 'Blood Gas'),
    (50821, 'pO2', 'Blood', 'Blood Gas'),
    (50861, 'Alanine Aminotransferase (ALT)', 'Blood', 'Chemistry'),
    (50862, 'Albumin', 'Blood', 'Chemistry'),
    (50863, 'Alkaline Phosphatase', 'Blood', 'Chemistry'),
    (50868, 'Anion Gap', 'Blood', 'Chemistry'),
    (50878, 'Asparate Aminotransferase (AST)', 'Blood', 'Chemistry'),
    (50882, 'Bicarbonate', 'Blood', 'Chemistry'),
    (50885, 'Bilirubin, Total', 'Blood', 'Chemistry'),
    (50893, 'Calcium, Total', 'Blood', 'Chemistry'),
    (50902, 'Chloride', 'Blood', 'Chemistry'),
    (50912, 'Creatinine', 'Blood', 'Chemistry'),
    (50931, 'Glucose', 'Blood', 'Chemistry'),
    (50954, 'Lactate Dehydrogenase (LD)', 'Blood', 'Chemistry'),
    (50960, 'Magnesium', 'Blood', 'Chemistry'),
    (50970, 'Phosphate', 'Blood', 'Chemistry'),
    (50971, 'Potassium', 'Blood', 'Chemistry'),
    (50983, 'Sodium', 'Blood', 'Chemistry'),
    (51006, 'Urea Nitrogen', 'Blood', 'Chemistry'),
    (51146, 'Basophils', 'Blood', 'Hematology'),
    (51200, 'Eosinophils', 'Blood', 'Hematology'),
    (51221, 'Hematocrit', 'Blood', 'Hematology'),
    (51222, 'Hemoglobin', 'Blood', 'Hematology'),
    (51237, 'INR(PT)', 'Blood', 'Hematology'),
    (51244, 'Lymphocytes', 'Blood', 'Hematology'),
    (51248, 'MCH', 'Blood', 'Hematology'),
    (51249, 'MCHC', 'Blood', 'Hematology'),
    (51250, 'MCV', 'Blood', 'Hematology'),
    (51254, 'Monocytes', 'Blood', 'Hematology'),
    (51256, 'Neutrophils', 'Blood', 'Hematology'),
    (51265, 'Platelet Count', 'Blood', 'Hematology'),
    (51274, 'PT', 'Blood', 'Hematology'),
    (51275, 'PTT', 'Blood', 'Hematology'),
    (51277, 'RDW', 'Blood', 'Hematology'),
    (51279, 'Red Blood Cells', 'Blood', 'Hematology'),
    (51301, 'White Blood Cells', 'Blood', 'Hematology'),
    (52033, 'Specimen Type', 'Blood', 'Blood Gas'),
]

# Lab panels: itemid -> (valueuom, ref_range_lower, ref_range_upper, decimals). Values come from the
# latent model for the concept labs and from a plausible normal range for the padding labs.
LAB_UNITS = {
    50912: ('mg/dL', 0.5, 1.2, 1), 51006: ('mg/dL', 6.0, 20.0, 0), 50882: ('mEq/L', 22.0, 32.0, 0),
    50983: ('mEq/L', 133.0, 145.0, 0), 50971: ('mEq/L', 3.3, 5.1, 1), 50902: ('mEq/L', 96.0, 108.0, 0),
    50931: ('mg/dL', 70.0, 100.0, 0), 50868: ('mEq/L', 10.0, 18.0, 0), 51265: ('K/uL', 150.0, 400.0, 0),
    51301: ('K/uL', 4.0, 10.0, 1), 51222: ('g/dL', 13.7, 17.5, 1), 51221: ('%', 40.0, 51.0, 1),
    50885: ('mg/dL', 0.0, 1.5, 1), 51274: ('sec', 9.4, 12.5, 1), 51237: (None, 0.9, 1.1, 1),
    51275: ('sec', 25.0, 36.5, 1), 50821: ('mm Hg', 85.0, 105.0, 0), 50818: ('mm Hg', 35.0, 45.0, 0),
    50820: ('units', 7.35, 7.45, 2), 50802: ('mEq/L', None, None, 0), 50813: ('mmol/L', 0.5, 2.0, 1),
    50816: ('%', None, None, 0), 50804: ('mEq/L', 21.0, 30.0, 0),
    # padding panels (realistic profile): typical value, sd
    50893: ('mg/dL', 8.4, 10.3, 1), 50960: ('mg/dL', 1.6, 2.6, 1), 50970: ('mg/dL', 2.7, 4.5, 1),
    51250: ('fL', 82.0, 98.0, 0), 51248: ('pg', 26.0, 32.0, 1), 51279: ('m/uL', 4.6, 6.1, 2),
    51277: ('%', 10.5, 15.5, 1), 51249: ('g/dL', 32.0, 37.0, 1), 50878: ('IU/L', 0.0, 40.0, 0),
    50861: ('IU/L', 0.0, 40.0, 0), 50863: ('IU/L', 40.0, 130.0, 0), 51256: ('%', 34.0, 71.0, 1),
    51254: ('%', 5.0, 13.0, 1), 51200: ('%', 1.0, 7.0, 1), 51244: ('%', 19.0, 53.0, 1),
    51146: ('%', 0.0, 1.0, 1), 50862: ('g/dL', 3.5, 5.2, 1), 50954: ('IU/L', 94.0, 250.0, 0),
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
    220046: ('bpm', 120.0, 5.0, 0), 220047: ('bpm', 50.0, 3.0, 0), 223769: ('%', 100.0, 0.0, 0),
    223770: ('%', 90.0, 2.0, 0), 224161: ('insp/min', 35.0, 3.0, 0), 224162: ('insp/min', 8.0, 1.0, 0),
    226253: ('%', 88.0, 2.0, 0), 225664: (None, 150.0, 40.0, 0), 220602: ('mEq/L', 103.0, 5.0, 0),
    227442: ('mEq/L', 4.1, 0.5, 1), 220645: ('mEq/L', 138.0, 4.0, 0), 227443: ('mEq/L', 23.0, 4.0, 0),
    227073: ('mEq/L', 15.0, 3.0, 0), 220621: ('mg/dL', 150.0, 50.0, 0), 220615: ('mg/dL', 1.4, 0.8, 1),
    225624: ('mg/dL', 30.0, 15.0, 0), 224687: ('L/min', 9.0, 2.5, 1), 224697: ('cmH2O', 10.0, 3.0, 0),
    224690: ('insp/min', 20.0, 5.0, 0), 224685: ('mL', 450.0, 80.0, 0), 224695: ('cmH2O', 20.0, 6.0, 0),
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

# Antibiotics (prescriptions): drug, formulary_drug_cd, gsn, ndc, prod_strength, dose_val_rx,
# dose_unit_rx, form_val_disp, form_unit_disp, doses_per_24_hrs, route. All IV, drug_type MAIN.
ANTIBIOTICS = [
    ('Vancomycin', 'VANC1F', '043952', '00338355248', '1g Frozen Bag', '1000', 'mg', '1', 'BAG', 2, 'IV'),
    ('Piperacillin-Tazobactam', 'ZOSY4FPB', '062588', '00206886202', '4.5 g Frozen Bag', '4.5', 'g', '1', 'BAG', 3, 'IV'),
    ('CefePIME', 'CEFE2I', '060002', '00409973701', '2g Vial', '2', 'g', '1', 'VIAL', 2, 'IV'),
    ('CeftriaXONE', 'CEFR1MB', '009227', '00409733201', '1g Vial (For Mini Bag plus)', '1', 'gm', '1', 'VIAL', 1, 'IV'),
    ('Meropenem', 'MERO1I', '040453', '63323050720', '1000mg Vial', '1000', 'mg', '1', 'VIAL', 3, 'IV'),
    ('MetRONIDAZOLE (FLagyl)', 'METR500PM', '008883', '00338105548', '500mg Premix Bag', '500', 'mg', '1', 'BAG', 3, 'IV'),
    ('Levofloxacin', 'LEVO750PM', '037847', '00045006801', '750mg Premix Bag', '750', 'mg', '1', 'BAG', 1, 'IV'),
    ('Ciprofloxacin IV', 'CIPR400PM', '009450', '00409477886', '400mg Premix Bag', '400', 'mg', '1', 'BAG', 2, 'IV'),
]
# Prophylactic / non-qualifying antibiotic orders (used for near-miss stays).
CEFAZOLIN = ('CefazoLIN', 'CEFA2D', '009142', '00264310311', '2g Duplex Bag', '2', 'g', '1', 'BAG', 3, 'IV')
# Excluded by the mimic-code antibiotic filter (eye route), and a BASE row.
ERYTHRO_OPHTH = ('Erythromycin 0.5% Ophth Oint', 'ERYT35O', '007385', '24208091055', '3.5g Tube', '0.5', 'in', '0.1', 'g', 2, 'OU')
# Common non-antibiotic ICU orders (padding and realism).
OTHER_DRUGS = [
    ('MAIN', 'Heparin', 'HEPA5I', '006549', '63323026201', '5000 Units / mL- 1mL Vial', '5000', 'UNIT', '1', 'mL', 3, 'SC'),
    ('MAIN', 'Pantoprazole', 'PANT40I', '033530', '00008092355', '40mg Vial', '40', 'mg', '1', 'VIAL', 1, 'IV'),
    ('MAIN', 'Acetaminophen', 'ACET325', '004489', '00904198861', '325mg Tablet', '325-650', 'mg', '1-2', 'TAB', 4, 'PO/NG'),
    ('MAIN', 'Insulin', 'INSULIN', '', '00002751001', '100 Units / mL - 10 mL Vial', '0', 'UNIT', '0', 'mL', 4, 'SC'),
    ('BASE', 'Sodium Chloride 0.9%  Flush', 'NACLFLUSH', '', '00000000000', '10 mL Syringe', '3', 'mL', '0.3', 'SYR', 3, 'IV'),
    ('MAIN', 'Norepinephrine', 'LEVO4/250', '002024', '00409144301', '4 mg / 250 mL Premix Bag', '0.03-0.5', 'mcg/kg/min', '0.1', 'BAG', 0, 'IV DRIP'),
]

# Cultures: spec_itemid, spec_type_desc, test_itemid, test_name
CULTURES = [
    (70012, 'BLOOD CULTURE', 90201, 'Blood Culture, Routine'),
    (70079, 'URINE', 90039, 'URINE CULTURE'),
    (70062, 'SPUTUM', 90055, 'RESPIRATORY CULTURE'),
    (70021, 'BRONCHOALVEOLAR LAVAGE', 90055, 'RESPIRATORY CULTURE'),
    (70070, 'SWAB', 90046, 'WOUND CULTURE'),
    (70091, 'MRSA SCREEN', 90189, 'MRSA SCREEN'),
]
CULTURES_P = [0.45, 0.25, 0.12, 0.05, 0.05, 0.08]
ORGANISMS = [
    (80002, 'ESCHERICHIA COLI'), (80023, 'STAPH AUREUS COAG +'), (80004, 'KLEBSIELLA PNEUMONIAE'),
    (80026, 'PSEUDOMONAS AERUGINOSA'), (80053, 'ENTEROCOCCUS SP.'), (80155, 'STAPHYLOCOCCUS, COAGULASE NEGATIVE'),
    (80017, 'PROTEUS MIRABILIS'),
]
# Susceptibility panel rows for a positive isolate: ab_itemid, ab_name
SUSCEPTIBILITY = [(90015, 'VANCOMYCIN'), (90018, 'CEFTRIAXONE'), (90007, 'CLINDAMYCIN'), (90026, 'GENTAMICIN')]

# Diagnoses (icd_code, icd_version): sepsis/shock/infection and comorbidities (SAPS-II chronic disease
# groups included: metastatic cancer, haematologic malignancy, AIDS).
DX_SEPSIS_10 = [('A419', 10), ('R6520', 10), ('J189', 10), ('N390', 10)]
DX_SHOCK_10 = [('R6521', 10)]
DX_COMMON_10 = [('I10', 10), ('E119', 10), ('N179', 10), ('I480', 10), ('E785', 10), ('J9601', 10),
                ('I5023', 10), ('N183', 10), ('K7030', 10), ('D696', 10)]
DX_CHRONIC_10 = [('C787', 10), ('C9000', 10), ('B20', 10)]
DX_SEPSIS_9 = [('0389', 9), ('99591', 9), ('486', 9), ('5990', 9)]
DX_SHOCK_9 = [('78552', 9)]
DX_COMMON_9 = [('4019', 9), ('25000', 9), ('5849', 9), ('42731', 9), ('2724', 9), ('51881', 9),
               ('42823', 9), ('5853', 9), ('5712', 9), ('2875', 9)]
DX_CHRONIC_9 = [('1977', 9), ('20300', 9), ('042', 9)]
DX_CARDIAC_10 = [('I2510', 10), ('I351', 10), ('Z951', 10)]
DX_CARDIAC_9 = [('41401', 9), ('4241', 9), ('V4581', 9)]
