"""What one chunk of the latent model is: enums, per-admission and per-stay plans, the Population."""
from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np


class Archetype(IntEnum):
    SHOCK = 0      # sepsis with vasoactive need
    SEPSIS = 1     # sepsis, no vasoactives
    CARDIAC = 2    # vasoactives, no infection (post-operative)
    OTHER = 3      # neither


class PrimaryAgent(IntEnum):
    """The vasoactive agent a stay is titrated on (vasopressin-only stays chart no weight)."""
    NONE = -1
    NOREPINEPHRINE = 0
    DOPAMINE = 1
    EPINEPHRINE = 2
    PHENYLEPHRINE_ONLY = 3
    VASOPRESSIN_ONLY = 4


class NivKind(IntEnum):
    """When a stay's one period of non-invasive ventilation happens."""
    NONE = 0
    BEFORE_INTUBATION = 1
    INSTEAD_OF_INTUBATION = 2
    AFTER_EXTUBATION = 3


SHOCK, SEPSIS, CARDIAC, OTHER = Archetype


@dataclass
class Rows:
    """Arrays with one row per admission or per stay; `take` keeps some rows of every array."""

    def take(self, index: np.ndarray):
        return type(self)(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


@dataclass
class AdmissionPlan(Rows):
    """Per admission: the strings and flags of hosp.admissions and services."""
    admission_type: np.ndarray
    admission_location: np.ndarray
    discharge_location: np.ndarray
    ed: np.ndarray                    # came through the emergency department
    service: np.ndarray
    insurance: np.ndarray
    language: np.ndarray
    marital_status: np.ndarray
    race: np.ndarray
    hospital_expire_flag: np.ndarray
    deathtime_missing: np.ndarray     # a real MIMIC-IV quirk (mimic-code issue #1406): death, no deathtime


@dataclass
class StayPlan(Rows):
    """Per stay: what happens during it (times in hours after intime)."""
    infected: np.ndarray
    vaso: np.ndarray                  # on vasoactives
    late_vaso: np.ndarray             # vasoactives started after 24 h
    vaso_start_h: np.ndarray
    primary: np.ndarray               # PrimaryAgent
    inotrope: np.ndarray              # dobutamine
    milrinone: np.ndarray
    add_phenylephrine: np.ndarray
    missing_weight: np.ndarray        # no inputevents.patientweight
    ventilated: np.ndarray            # invasive ventilation
    vent_start_h: np.ndarray
    vent_end_h: np.ndarray
    icu_death: np.ndarray
    dies: np.ndarray                  # in-hospital death
    careunit: np.ndarray
    outcome_unknown: np.ndarray       # no ICU outtime
    no_heart_rate: np.ndarray         # no heart-rate row at all
    paediatric: np.ndarray
    stay_k: np.ndarray                # the patient's first, second, third stay: 0, 1, 2


@dataclass
class RespiratoryPlan(Rows):
    """Per stay: respiratory support around the invasive ventilation (hours after intime; NaN: none)."""
    hamilton: np.ndarray              # ventilated by a Hamilton ventilator
    trach_h: np.ndarray               # tracheostomy
    niv_start_h: np.ndarray
    niv_end_h: np.ndarray
    niv_mask: np.ndarray              # index into vocab.NIV_MASKS
    niv_hamilton: np.ndarray          # NIV charted with a Hamilton mode
    hfnc_start_h: np.ndarray
    hfnc_end_h: np.ndarray
    o2_device: np.ndarray             # index into vocab.O2_DEVICES: the stay's usual supplemental device


@dataclass
class Population:
    """One chunk: per-patient, per-admission and per-stay arrays (index = position in the chunk)."""
    # patients
    subject_id: np.ndarray
    gender: np.ndarray            # 'F'/'M'
    anchor_age: np.ndarray
    anchor_year: np.ndarray
    anchor_year_group: np.ndarray
    dod: np.ndarray               # epoch seconds of the death date (midnight) or -1
    # admissions
    hadm_id: np.ndarray
    adm_subject: np.ndarray       # patient index
    admittime: np.ndarray
    dischtime: np.ndarray
    deathtime: np.ndarray         # -1 when alive at discharge
    admission: AdmissionPlan
    # stays
    stay_id: np.ndarray
    stay_subject: np.ndarray      # patient index
    stay_adm: np.ndarray          # admission index
    intime: np.ndarray
    outtime: np.ndarray           # -1 when unknown (outcome unknown)
    los_h: np.ndarray
    archetype: np.ndarray
    s0: np.ndarray
    slope: np.ndarray
    recovery: np.ndarray
    wave: np.ndarray              # (S, 4): amplitude1, phase1, amplitude2, phase2
    organ_w: np.ndarray           # (S, 6)
    organ_u: np.ndarray           # (S, 6)
    comorbidity: np.ndarray
    age: np.ndarray
    weight_kg: np.ndarray
    height_cm: np.ndarray
    plan: StayPlan
    respiratory: RespiratoryPlan
    rng: np.random.Generator
    resp_rng: np.random.Generator  # the respiratory support text's own stream (see module docstring)



def truncate(pop: Population, n_stays: int) -> Population:
    """Keep the first n_stays stays (whole admissions/patients after the cut are dropped)."""
    if n_stays >= len(pop.stay_id):
        return pop
    keep_s = np.arange(n_stays)
    last_subject = pop.stay_subject[n_stays - 1]
    keep_p = np.arange(last_subject + 1)
    last_adm = pop.stay_adm[n_stays - 1]
    keep_a = np.arange(last_adm + 1)
    P = len(keep_p)
    # a patient cut after an earlier stay keeps that stay's admission; its later stays are not written
    pop2 = Population(
        subject_id=pop.subject_id[:P], gender=pop.gender[:P], anchor_age=pop.anchor_age[:P],
        anchor_year=pop.anchor_year[:P], anchor_year_group=pop.anchor_year_group[:P], dod=pop.dod[:P].copy(),
        hadm_id=pop.hadm_id[keep_a], adm_subject=pop.adm_subject[keep_a], admittime=pop.admittime[keep_a],
        dischtime=pop.dischtime[keep_a], deathtime=pop.deathtime[keep_a],
        admission=pop.admission.take(keep_a),
        stay_id=pop.stay_id[keep_s], stay_subject=pop.stay_subject[keep_s], stay_adm=pop.stay_adm[keep_s],
        intime=pop.intime[keep_s], outtime=pop.outtime[keep_s], los_h=pop.los_h[keep_s],
        archetype=pop.archetype[keep_s], s0=pop.s0[keep_s], slope=pop.slope[keep_s],
        recovery=pop.recovery[keep_s], wave=pop.wave[keep_s], organ_w=pop.organ_w[keep_s],
        organ_u=pop.organ_u[keep_s], comorbidity=pop.comorbidity[keep_s], age=pop.age[keep_s],
        weight_kg=pop.weight_kg[keep_s], height_cm=pop.height_cm[keep_s], plan=pop.plan.take(keep_s),
        respiratory=pop.respiratory.take(keep_s), rng=pop.rng, resp_rng=pop.resp_rng,
    )
    return pop2
