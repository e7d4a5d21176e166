"""The latent model: patients, admissions and ICU stays with a hidden severity trajectory.

Everything observable is derived from these arrays (population.py) by `tables/`; nothing here is written out as-is
(no labels, no scores). One call to `sample_population` makes one chunk of patients, vectorised.

Per ICU stay:
- archetype: SHOCK (sepsis with vasoactive need), SEPSIS (sepsis, no vasoactives), CARDIAC (vasoactives,
  no infection: post-operative), OTHER (neither). The profile sets their proportions.
- severity s(t), t in hours since ICU intime: s(t) = s0 + slope * min(t, 48) / 24 - recovery *
  max(t - 48, 0) / 24 + two slow sinusoids. s0 depends on the archetype, age and a chronic
  comorbidity burden; slope (per day over the first 48 h) is the hidden trend that rising or weaning
  vasoactive doses reveal.
- organ severities: organ_k(t) = weight_k * s(t) + offset_k (six SOFA organs), which drive the raw
  labs, vitals, GCS, blood gases and urine output.
- hospital death: logistic in the 48 h severity (s0 + 2 * slope), comorbidity, age, with modest
  sociodemographic terms and an unobserved frailty term (so the task is not separable).
- respiratory support plan (which ventilator, tracheostomy, non-invasive ventilation, high-flow
  cannula, usual O2 device): drawn from its own random stream (`resp_rng`), so that the charted
  ventilator and O2 text can evolve without changing any other value of a seed.
"""
from __future__ import annotations

import numpy as np

from . import vocab
from .population import (
    CARDIAC,
    OTHER,
    SEPSIS,
    SHOCK,
    AdmissionPlan,
    NivKind,
    Population,
    PrimaryAgent,
    RespiratoryPlan,
    StayPlan,
)
from .profiles import Profile

ORGANS = ("resp", "coag", "liver", "cv", "cns", "renal")

# Archetype probabilities of a patient's later ICU stays (first stays: the profile's archetype_p)
LATER_STAY_P = [0.25, 0.25, 0.10, 0.40]
SEVERITY_MEAN = np.array([1.55, 0.95, 0.9, 0.1])   # s0 by archetype

SECONDS_PER_HOUR = 3600
MAX_STAYS_PER_PATIENT = 3


def epoch_of_year(years: np.ndarray) -> np.ndarray:
    """Epoch seconds of 1 January of each year."""
    return (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[s]").astype(np.int64)


def severity(pop: Population, stay: np.ndarray, t_h: np.ndarray) -> np.ndarray:
    """Latent severity of stays `stay` at hours `t_h` after intime (vectorised, any shapes that broadcast)."""
    t = np.asarray(t_h, dtype=np.float64)
    w = pop.wave[stay]
    return (pop.s0[stay] + pop.slope[stay] * np.minimum(np.maximum(t, 0), 48.0) / 24.0
            - pop.recovery[stay] * np.maximum(t - 48.0, 0) / 24.0
            + w[..., 0] * np.sin(t / 9.0 + w[..., 1]) + w[..., 2] * np.sin(t / 23.0 + w[..., 3]))


def organ(pop: Population, name: str, stay: np.ndarray, t_h: np.ndarray) -> np.ndarray:
    """Latent severity of one organ system."""
    k = ORGANS.index(name)
    return pop.organ_w[stay, k] * severity(pop, stay, t_h) + pop.organ_u[stay, k]


SERVICES = ["MED", "MED", "MED", "SURG", "TRAUM", "CMED", "NSURG", "OMED"]   # drawn uniformly: MED 3/8


def _choice(rng, options, n, p=None):
    idx = rng.choice(len(options), size=n, p=p)
    return np.array(options, dtype=object)[idx]


def sample_population(seed: int, chunk: int, profile: Profile) -> Population:
    """Patients, admissions and stays of one chunk (deterministic in seed and chunk number)."""
    rng = np.random.default_rng([seed, chunk])
    P = profile.patients_per_chunk
    base = chunk * P

    # ---- patients
    subject_id = 10_000_000 + base + np.arange(P, dtype=np.int64)
    gender = np.where(rng.random(P) < 0.44, "F", "M").astype(object)
    paediatric = rng.random(P) < 0.015
    anchor_age = np.clip(np.round(rng.normal(64, 15, P)), 19, 91).astype(np.int64)
    anchor_age[paediatric] = 18
    anchor_year = rng.integers(2110, 2200, P).astype(np.int64)
    anchor_year_group = _choice(rng, vocab.ANCHOR_YEAR_GROUPS, P)
    comorbidity_p = rng.normal(0, 1, P)
    n_stays = rng.choice([1, 2, 3], size=P, p=[0.88, 0.10, 0.02])
    insurance = np.where(anchor_age >= 65,
                         _choice(rng, vocab.INSURANCE, P, [0.72, 0.06, 0.17, 0.04, 0.01]),
                         _choice(rng, vocab.INSURANCE, P, [0.10, 0.30, 0.45, 0.13, 0.02]))
    marital = _choice(rng, vocab.MARITAL, P, [0.45, 0.30, 0.12, 0.09, 0.04])
    race = _choice(rng, vocab.RACE, P, vocab.RACE_P)
    language = _choice(rng, vocab.LANGUAGES, P, vocab.LANGUAGES_P)
    # modest sociodemographic effect on death (documented in docs/synthetic.md)
    socio = (0.12 * (insurance == "Medicaid") + 0.08 * (marital == "WIDOWED") - 0.06 * (insurance == "Private")
             + 0.05 * (gender == "M"))
    frailty = rng.normal(0, 1, P)      # never observed

    # ---- stays: patient-major order, stay k of each patient
    stay_subject = np.repeat(np.arange(P), n_stays)
    stay_k = np.concatenate([np.arange(n) for n in n_stays])
    S = len(stay_subject)
    archetype = np.where(stay_k == 0, rng.choice(4, size=S, p=profile.archetype_p),
                         rng.choice(4, size=S, p=LATER_STAY_P))
    # a later stay in the same admission as the previous one (ICU readmission), else a new admission
    same_adm = (stay_k > 0) & (rng.random(S) < 0.5)
    adm_of_stay = np.cumsum(~same_adm) - 1
    A = int(adm_of_stay[-1]) + 1 if S else 0
    adm_subject = np.zeros(A, dtype=np.int64)
    adm_subject[adm_of_stay] = stay_subject

    stay_id = 30_000_000 + base * MAX_STAYS_PER_PATIENT + np.arange(S, dtype=np.int64)
    hadm_id = 20_000_000 + base * MAX_STAYS_PER_PATIENT + np.arange(A, dtype=np.int64)

    # ---- latent severity
    comorbidity = comorbidity_p[stay_subject]
    age_years_offset = np.where(paediatric[stay_subject], -rng.integers(1, 3, S), rng.integers(0, 3, S))
    age = anchor_age[stay_subject] + age_years_offset
    s0 = (SEVERITY_MEAN[archetype] + 0.25 * comorbidity + 0.15 * (age - 65) / 15 + rng.normal(0, 0.6, S))
    slope = rng.normal(0.0, 0.55, S)
    wave = np.column_stack([rng.uniform(0.05, 0.25, S), rng.uniform(0, 2 * np.pi, S),
                            rng.uniform(0.05, 0.2, S), rng.uniform(0, 2 * np.pi, S)])
    organ_w = np.exp(rng.normal(0, 0.35, (S, 6)))
    organ_u = rng.normal(0, 0.45, (S, 6))
    organ_u[:, 2] -= 0.6                 # liver is the least often affected organ
    infected = (archetype == SHOCK) | (archetype == SEPSIS)

    # ---- hospital death (from the 48 h severity; the same slope drives the vasoactive trend)
    s48 = s0 + 2 * slope
    logit = (-3.75 + 1.35 * s48 + 0.25 * comorbidity + 0.2 * (age - 65) / 15
             + socio[stay_subject] + 0.75 * frailty[stay_subject])
    logit = np.where(archetype == OTHER, logit - 1.0, logit)
    dies = rng.random(S) < 1 / (1 + np.exp(-logit))
    last_stay = np.r_[stay_subject[1:] != stay_subject[:-1], True] if S else np.zeros(0, bool)
    dies &= last_stay                        # only a patient's last stay can end in death
    recovery = np.where(dies, rng.uniform(-0.3, 0.1, S), rng.uniform(0.3, 0.8, S))

    # ---- vasoactive plan
    vaso = (archetype == SHOCK) | (archetype == CARDIAC)
    late_vaso = vaso & (archetype == SHOCK) & (rng.random(S) < 0.06)
    vaso_start_h = np.where(rng.random(S) < 0.06, rng.uniform(-1.5, 0.0, S), rng.uniform(0.2, 14.0, S))
    vaso_start_h = np.where(late_vaso, rng.uniform(25.0, 60.0, S), vaso_start_h)
    primary = np.full(S, int(PrimaryAgent.NONE))
    NOREPI, DOPA, EPI, PHENYL_ONLY, VASOPRESSIN_ONLY = (int(a) for a in list(PrimaryAgent)[1:])
    u = rng.random(S)
    primary[vaso & (archetype == SHOCK)] = np.select(
        [u < 0.86, u < 0.92, u < 0.965, u < 0.992], [NOREPI, DOPA, EPI, PHENYL_ONLY],
        VASOPRESSIN_ONLY)[vaso & (archetype == SHOCK)]
    primary[archetype == CARDIAC] = np.select([u < 0.40, u < 0.55, u < 0.85], [NOREPI, DOPA, EPI],
                                              PHENYL_ONLY)[archetype == CARDIAC]
    inotrope = vaso & (((archetype == SHOCK) & (rng.random(S) < 0.10))
                       | ((archetype == CARDIAC) & (rng.random(S) < 0.45)))
    milrinone = (archetype == CARDIAC) & (rng.random(S) < 0.25)
    add_phenylephrine = vaso & (primary != PHENYL_ONLY) & (rng.random(S) < 0.12)
    missing_weight = vaso & ((primary == VASOPRESSIN_ONLY) | (rng.random(S) < 0.01))

    # ---- ICU length of stay, death timing
    short_after_vaso = vaso & ~late_vaso & (rng.random(S) < 0.05)
    los_h = np.where(vaso, np.maximum(vaso_start_h, 0) + np.exp(rng.normal(np.log(60), 0.55, S)) + 26,
                     np.maximum(8.0, np.exp(rng.normal(np.log(55), 0.7, S))))
    los_h = np.where(short_after_vaso, np.maximum(vaso_start_h, 0) + rng.uniform(3, 22, S), los_h)
    icu_death = dies & (rng.random(S) < 0.8)
    early = rng.random(S) < 0.08
    death_h = np.where(early, rng.uniform(4, 22, S),
                       np.maximum(vaso_start_h, 0) + 25 + rng.gamma(2.0, 30.0, S))
    los_h = np.where(icu_death, death_h + rng.uniform(0.0, 0.4, S), los_h)
    los_h = np.minimum(los_h, 24 * 21.0)
    weight = np.clip(rng.normal(np.where(gender[stay_subject] == "M", 86, 74), 17), 40, 180).round(1)
    height = np.clip(rng.normal(np.where(gender[stay_subject] == "M", 176, 163), 8), 140, 205).round(0)

    # ventilation (invasive) from respiratory severity at arrival
    resp0 = organ_w[:, 0] * s0 + organ_u[:, 0]
    ventilated = rng.random(S) < 1 / (1 + np.exp(-(-1.0 + 1.1 * resp0)))
    vent_start_h = np.where(rng.random(S) < 0.4, -rng.uniform(0.5, 6, S), rng.uniform(0.2, 8, S))
    vent_end_h = np.where(icu_death, los_h, np.clip(los_h * rng.uniform(0.35, 0.85, S), vent_start_h + 6, los_h - 2))
    ventilated &= vent_end_h > np.maximum(vent_start_h, 0) + 4

    # ---- timeline: admissions and stays in patient order (k = 0, 1, 2)
    intime = np.zeros(S, dtype=np.int64)
    outtime = np.zeros(S, dtype=np.int64)
    admittime = np.zeros(A, dtype=np.int64)
    dischtime = np.zeros(A, dtype=np.int64)
    deathtime = np.full(A, -1, dtype=np.int64)
    preicu_s = (np.exp(rng.normal(np.log(8), 1.0, S)).clip(0.2, 240) * SECONDS_PER_HOUR).astype(np.int64)
    year = anchor_year[stay_subject] + age_years_offset
    first_admit = epoch_of_year(year) + rng.integers(0, 330 * 86400, S)
    post_icu_s = (rng.uniform(20, 200, S) * SECONDS_PER_HOUR).astype(np.int64)
    gap_s = (rng.uniform(12, 96, S) * SECONDS_PER_HOUR).astype(np.int64)
    readmit_s = rng.integers(30 * 86400, 300 * 86400, S)
    los_s = (los_h * SECONDS_PER_HOUR).astype(np.int64)
    for k in range(MAX_STAYS_PER_PATIENT):
        idx = np.flatnonzero(stay_k == k)
        if len(idx) == 0:
            continue
        a = adm_of_stay[idx]
        if k == 0:
            admittime[a] = first_admit[idx]
            intime[idx] = first_admit[idx] + preicu_s[idx]
        else:
            prev = idx - 1
            same = same_adm[idx]
            prev_adm = adm_of_stay[prev]
            new_admit = dischtime[prev_adm] + readmit_s[idx]
            admittime[a[~same]] = new_admit[~same]
            intime[idx] = np.where(same, outtime[prev] + gap_s[idx], new_admit + preicu_s[idx])
        outtime[idx] = intime[idx] + los_s[idx]
        dischtime[a] = outtime[idx] + post_icu_s[idx]
    # in-hospital deaths: in the ICU (deathtime inside the stay) or on the ward after it
    a_death = adm_of_stay[dies]
    deathtime[a_death] = np.where(icu_death[dies], intime[dies] + (death_h[dies] * SECONDS_PER_HOUR).astype(np.int64),
                                  outtime[dies] + (rng.uniform(12, 300, S)[dies] * SECONDS_PER_HOUR).astype(np.int64))
    dischtime[a_death] = deathtime[a_death]
    # ICU deaths: outtime a few minutes after deathtime (deathtime within [intime, outtime])
    outtime = np.where(icu_death, intime + (death_h * SECONDS_PER_HOUR).astype(np.int64)
                       + rng.integers(0, 40 * 60, S), outtime)
    los_h = (outtime - intime) / SECONDS_PER_HOUR
    adm_last_stay_dies = np.zeros(A, dtype=bool)
    adm_last_stay_dies[a_death] = True

    # post-discharge deaths (28-day / 1-year mortality; patients.dod only)
    late_death = last_stay & ~dies & (rng.random(S) < 1 / (1 + np.exp(-(-3.2 + 0.8 * s48))))
    dod = np.full(P, -1, dtype=np.int64)
    dod[stay_subject[dies]] = deathtime[adm_of_stay[dies]]
    dod[stay_subject[late_death]] = dischtime[adm_of_stay[late_death]] + rng.integers(86400, 120 * 86400, S)[late_death]
    dod = np.where(dod >= 0, dod - dod % 86400, -1)

    # discharge location; against medical advice among shock survivors
    ama = last_stay & ~dies & (archetype == SHOCK) & (rng.random(S) < 0.03)
    discharge_location = _choice(rng, vocab.DISCHARGE_LOCATIONS_ALIVE, A, [0.35, 0.25, 0.22, 0.1, 0.05, 0.03])
    discharge_location[adm_of_stay[ama]] = "AGAINST ADVICE"
    discharge_location[adm_last_stay_dies] = "DIED"
    # ICU outcome unknown: a handful of stays lack outtime (documented edge case)
    outcome_unknown = ~dies & (rng.random(S) < 0.003)

    # admission type, location, services
    cardiac = archetype == CARDIAC
    adm_cardiac = np.zeros(A, dtype=bool)
    adm_cardiac[adm_of_stay[cardiac]] = True
    emergency = ~adm_cardiac | (rng.random(A) < 0.2)
    # (keyword arguments are evaluated in order: the random draws keep their order)
    admission = AdmissionPlan(
        admission_type=np.where(
            emergency, _choice(rng, vocab.ADMISSION_TYPES_EMERGENCY, A, [0.55, 0.25, 0.12, 0.08]),
            np.where(rng.random(A) < 0.6, "ELECTIVE", "SURGICAL SAME DAY ADMISSION")).astype(object),
        admission_location=np.where(emergency, _choice(rng, vocab.ADMISSION_LOCATIONS, A, [0.6, 0.2, 0.12, 0.08]),
                                    "PHYSICIAN REFERRAL").astype(object),
        discharge_location=discharge_location,
        ed=emergency & (rng.random(A) < 0.85),
        service=np.where(adm_cardiac, "CSURG", _choice(rng, SERVICES, A)).astype(object),
        insurance=insurance[adm_subject], language=language[adm_subject],
        marital_status=marital[adm_subject], race=race[adm_subject],
        hospital_expire_flag=adm_last_stay_dies.astype(np.int64),
        deathtime_missing=adm_last_stay_dies & (rng.random(A) < 0.03),
    )

    careunit = np.where(cardiac, _choice(rng, vocab.CAREUNITS_CARDIAC, S, [0.8, 0.2]),
                        np.where(admission.service[adm_of_stay] == "MED",
                                 _choice(rng, vocab.CAREUNITS_MEDICAL, S, [0.7, 0.3]),
                                 _choice(rng, vocab.CAREUNITS_MEDICAL + vocab.CAREUNITS_SURGICAL, S))).astype(object)

    plan = StayPlan(
        infected=infected, vaso=vaso, late_vaso=late_vaso, vaso_start_h=vaso_start_h,
        primary=primary, inotrope=inotrope, milrinone=milrinone,
        add_phenylephrine=add_phenylephrine, missing_weight=missing_weight,
        ventilated=ventilated, vent_start_h=vent_start_h, vent_end_h=vent_end_h,
        icu_death=icu_death, dies=dies, careunit=careunit, outcome_unknown=outcome_unknown,
        no_heart_rate=rng.random(S) < 0.003, paediatric=paediatric[stay_subject],
        stay_k=stay_k,
    )
    resp_rng = np.random.default_rng([seed, chunk, 1])
    respiratory = respiratory_plan(resp_rng, ventilated, vent_start_h, vent_end_h, los_h, icu_death)
    return Population(
        subject_id=subject_id, gender=gender, anchor_age=anchor_age, anchor_year=anchor_year,
        anchor_year_group=anchor_year_group, dod=dod,
        hadm_id=hadm_id, adm_subject=adm_subject, admittime=admittime, dischtime=dischtime,
        deathtime=deathtime, admission=admission,
        stay_id=stay_id, stay_subject=stay_subject, stay_adm=adm_of_stay, intime=intime, outtime=outtime,
        los_h=los_h, archetype=archetype, s0=s0, slope=slope, recovery=recovery, wave=wave,
        organ_w=organ_w, organ_u=organ_u, comorbidity=comorbidity, age=age, weight_kg=weight,
        height_cm=height, plan=plan, respiratory=respiratory, rng=rng, resp_rng=resp_rng,
    )


def respiratory_plan(rng, ventilated, vent_start_h, vent_end_h, los_h, icu_death) -> RespiratoryPlan:
    """Per-stay respiratory support around the invasive ventilation of the main model (times in hours
    after intime): Hamilton ventilator, tracheostomy during long ventilation, one period of
    non-invasive ventilation (before intubation, instead of it, or after extubation), high-flow
    nasal cannula and the usual supplemental O2 device."""
    S = len(ventilated)
    u = rng.random((S, 6))
    vent_from = np.maximum(vent_start_h, 0)
    duration = vent_end_h - vent_from
    hamilton = ventilated & (u[:, 0] < 0.08)
    trach = ventilated & (duration > 96) & (u[:, 1] < 0.35)
    trach_h = np.where(trach, vent_from + duration * rng.uniform(0.4, 0.7, S), np.nan)
    extubated_alive = ventilated & ~trach & ~icu_death
    NONE, BEFORE, INSTEAD, AFTER = (int(k) for k in NivKind)
    niv_kind = np.select([ventilated & (vent_start_h > 2) & (u[:, 2] < 0.35),
                          ~ventilated & (u[:, 2] < 0.18),
                          extubated_alive & (u[:, 2] > 0.90)], [BEFORE, INSTEAD, AFTER], NONE)
    kinds = [niv_kind == BEFORE, niv_kind == INSTEAD, niv_kind == AFTER]
    niv_start = np.select(kinds, [np.zeros(S), rng.uniform(0, 8, S), vent_end_h], np.nan)
    niv_end = np.select(kinds, [vent_start_h, niv_start + rng.uniform(8, 36, S), vent_end_h + rng.uniform(6, 24, S)],
                        np.nan)
    hfnc = (niv_kind == NONE) & ((extubated_alive & (u[:, 3] < 0.12)) | (~ventilated & (u[:, 3] < 0.08)))
    hfnc_start = np.where(hfnc, np.where(ventilated, vent_end_h, rng.uniform(0, 8, S)), np.nan)
    hfnc_end = hfnc_start + rng.uniform(6, 30, S)
    o2_device = rng.choice(len(vocab.O2_DEVICES), size=S, p=[p for _, p in vocab.O2_DEVICES])
    return RespiratoryPlan(
        hamilton=hamilton, trach_h=trach_h, niv_start_h=niv_start,
        niv_end_h=np.minimum(niv_end, los_h), niv_mask=(u[:, 4] < 0.38).astype(np.int32),
        niv_hamilton=(niv_kind != NONE) & (u[:, 5] < 0.15), hfnc_start_h=hfnc_start,
        hfnc_end_h=np.minimum(hfnc_end, los_h), o2_device=o2_device,
    )
