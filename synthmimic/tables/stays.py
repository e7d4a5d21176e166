"""hosp: patients, admissions, icustays, transfers, services and diagnoses_icd."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import vocab
from ..population import CARDIAC, OTHER, SEPSIS, SHOCK, Population
from .columns import const, f64, i64, strs, table, ts
from .ids import Ids
from .layout import MIN, H, ragged


def patients(pop: Population) -> pa.Table:
    dod = pop.dod
    return table("patients", {
        "subject_id": i64(pop.subject_id), "gender": strs(pop.gender), "anchor_age": i64(pop.anchor_age),
        "anchor_year": i64(pop.anchor_year), "anchor_year_group": strs(pop.anchor_year_group),
        "dod": pa.array(np.where(dod >= 0, dod // 86400, 0).astype(np.int32), type=pa.date32(), mask=dod < 0),
    })


def admissions(pop: Population) -> pa.Table:
    rng = pop.rng
    A = len(pop.hadm_id)
    f = pop.admission
    ed = f.ed
    edreg = pop.admittime - rng.integers(2 * H, 9 * H, A)
    edout = pop.admittime + rng.integers(10 * MIN, 90 * MIN, A)
    provider = np.array([f"P{x:05X}" for x in rng.integers(0, 16**5, A)], dtype=object)
    return table("admissions", {
        "subject_id": i64(pop.subject_id[pop.adm_subject]), "hadm_id": i64(pop.hadm_id),
        "admittime": ts(pop.admittime), "dischtime": ts(pop.dischtime),
        "deathtime": ts(pop.deathtime, null=f.deathtime_missing),
        "admission_type": strs(f.admission_type), "admit_provider_id": strs(provider),
        "admission_location": strs(f.admission_location), "discharge_location": strs(f.discharge_location),
        "insurance": strs(f.insurance), "language": strs(f.language),
        "marital_status": strs(f.marital_status), "race": strs(f.race),
        "edregtime": ts(edreg, null=~ed), "edouttime": ts(edout, null=~ed),
        "hospital_expire_flag": i64(f.hospital_expire_flag),
    })


def icustays(pop: Population) -> pa.Table:
    unknown = pop.plan.outcome_unknown
    careunit = pop.plan.careunit
    los = (pop.outtime - pop.intime) / 86400.0
    return table("icustays", {
        "subject_id": i64(pop.subject_id[pop.stay_subject]), "hadm_id": i64(pop.hadm_id[pop.stay_adm]),
        "stay_id": i64(pop.stay_id), "first_careunit": strs(careunit), "last_careunit": strs(careunit),
        "intime": ts(pop.intime), "outtime": ts(pop.outtime, null=unknown),
        "los": f64(np.where(unknown, np.nan, los)),
    })


def transfers(pop: Population, ids: Ids) -> pa.Table:
    """ED -> (ward) -> ICU -> ward -> discharge; the ICU transfer's transfer_id is the stay_id."""
    rng = pop.rng
    A = len(pop.hadm_id)
    rows = []  # (adm index, transfer_id, eventtype code, careunit, intime, outtime)
    ed = pop.admission.ed
    ed_adm = np.flatnonzero(ed)
    edreg = pop.admittime[ed_adm] - rng.integers(2 * H, 8 * H, len(ed_adm))
    rows.append((ed_adm, ids.take("transfer", len(ed_adm), 40_000_000), "ED",
                 np.full(len(ed_adm), "Emergency Department", object),
                 edreg, pop.admittime[ed_adm]))
    # admission ward before the first ICU stay of the admission
    first_stay = np.r_[True, pop.stay_adm[1:] != pop.stay_adm[:-1]] if len(pop.stay_adm) else np.zeros(0, bool)
    fs = np.flatnonzero(first_stay)
    ward = np.array(vocab.WARDS, dtype=object)[rng.integers(0, len(vocab.WARDS), len(fs))]
    gap = pop.intime[fs] - pop.admittime[pop.stay_adm[fs]] > 30 * MIN
    w = fs[gap]
    rows.append((pop.stay_adm[w], ids.take("transfer", len(w), 40_000_000), "admit", ward[gap],
                 pop.admittime[pop.stay_adm[w]], pop.intime[w]))
    # ICU stays (first of the admission is 'admit' when there is no ward before it)
    ev = np.where(first_stay & ~np.isin(np.arange(len(pop.stay_id)), w), "admit", "transfer").astype(object)
    out = np.where(pop.plan.outcome_unknown, -1, pop.outtime)
    rows.append((pop.stay_adm, pop.stay_id.copy(), ev, pop.plan.careunit, pop.intime, out))
    # ward after each ICU stay until the next stay or discharge (not after an ICU death)
    after = ~pop.plan.icu_death
    nxt_in = np.r_[pop.intime[1:], 0]
    same_next = np.r_[pop.stay_adm[1:] == pop.stay_adm[:-1], False] if len(pop.stay_adm) else np.zeros(0, bool)
    end = np.where(same_next, nxt_in, pop.dischtime[pop.stay_adm])
    a = np.flatnonzero(after & (end > pop.outtime))
    ward2 = np.array(vocab.WARDS, dtype=object)[rng.integers(0, len(vocab.WARDS), len(a))]
    rows.append((pop.stay_adm[a], ids.take("transfer", len(a), 40_000_000), "transfer", ward2, pop.outtime[a], end[a]))
    # discharge
    rows.append((np.arange(A), ids.take("transfer", A, 40_000_000), "discharge", np.full(A, None, object),
                 pop.dischtime, np.full(A, -1)))
    adm = np.concatenate([r[0] for r in rows])
    tid = np.concatenate([r[1] for r in rows])
    evt = np.concatenate([np.broadcast_to(np.asarray(r[2], dtype=object), (len(r[0]),)) for r in rows])
    unit = np.concatenate([r[3] for r in rows])
    tin = np.concatenate([r[4] for r in rows])
    tout = np.concatenate([np.asarray(r[5]) for r in rows])
    return table("transfers", {
        "subject_id": i64(pop.subject_id[pop.adm_subject[adm]]), "hadm_id": i64(pop.hadm_id[adm]),
        "transfer_id": i64(tid), "eventtype": strs(evt), "careunit": strs(unit),
        "intime": ts(tin), "outtime": ts(tout),
    })


def services(pop: Population) -> pa.Table:
    A = len(pop.hadm_id)
    return table("services", {
        "subject_id": i64(pop.subject_id[pop.adm_subject]), "hadm_id": i64(pop.hadm_id),
        "transfertime": ts(pop.admittime), "prev_service": const(None, A),
        "curr_service": strs(pop.admission.service),
    })


def diagnoses_icd(pop: Population) -> pa.Table:
    rng = pop.rng
    A = len(pop.hadm_id)
    icd9 = np.isin(pop.anchor_year_group[pop.adm_subject], ["2008 - 2010", "2011 - 2013"])
    # admission-level archetype: the most severe archetype of its stays
    adm_arch = np.full(A, OTHER)
    np.minimum.at(adm_arch, pop.stay_adm, pop.archetype)
    chronic = rng.choice(4, size=A, p=[0.925, 0.04, 0.03, 0.005])  # none, metastatic, heme, AIDS
    codes, adms = [], []
    for a in range(A):
        v9 = icd9[a]
        lst = []
        if adm_arch[a] in (SHOCK, SEPSIS):
            pool = vocab.DX_SEPSIS_9 if v9 else vocab.DX_SEPSIS_10
            lst += [pool[0], pool[1 + rng.integers(0, 3)]]
            if adm_arch[a] == SHOCK:
                lst += vocab.DX_SHOCK_9 if v9 else vocab.DX_SHOCK_10
        if adm_arch[a] == CARDIAC:
            lst += vocab.DX_CARDIAC_9 if v9 else vocab.DX_CARDIAC_10
        common = vocab.DX_COMMON_9 if v9 else vocab.DX_COMMON_10
        lst += [common[i] for i in rng.choice(len(common), size=rng.integers(2, 7), replace=False)]
        if chronic[a]:
            lst.append((vocab.DX_CHRONIC_9 if v9 else vocab.DX_CHRONIC_10)[chronic[a] - 1])
        codes += lst
        adms += [a] * len(lst)
    adms = np.array(adms, dtype=np.int64)
    _, seq = ragged(np.bincount(adms, minlength=A))
    return table("diagnoses_icd", {
        "subject_id": i64(pop.subject_id[pop.adm_subject[adms]]), "hadm_id": i64(pop.hadm_id[adms]),
        "seq_num": i64(seq + 1), "icd_code": strs([c.icd_code for c in codes]),
        "icd_version": i64([c.icd_version for c in codes]),
    })
