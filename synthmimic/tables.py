"""Raw MIMIC-IV rows from the latent population of one chunk (vectorised numpy -> arrow tables).

Each builder returns a pyarrow Table in the exact column order and types of `schema.TABLES`.
Times are epoch seconds (int64) until converted; -1 means NULL.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import vocab
from .latent import CARDIAC, OTHER, SEPSIS, SHOCK, SECONDS_PER_HOUR, Population, organ, severity
from .schema import arrow_schema

H = SECONDS_PER_HOUR
MIN = 60


# ---------------------------------------------------------------- arrow helpers
def ts(x, null=None) -> pa.Array:
    """Timestamps from epoch seconds; -1 (or `null`) is NULL."""
    x = np.asarray(x, dtype=np.int64)
    mask = x == -1 if null is None else (null | (x == -1))
    return pa.array(x, type=pa.timestamp("s"), mask=mask)


def i64(x, null=None) -> pa.Array:
    return pa.array(np.asarray(x, dtype=np.int64), type=pa.int64(), mask=null)


def f64(x, null=None) -> pa.Array:
    x = np.asarray(x, dtype=np.float64)
    mask = np.isnan(x) if null is None else (null | np.isnan(x))
    return pa.array(x, type=pa.float64(), mask=mask)


def cat(codes, options) -> pa.Array:
    """A string column from integer codes into a small list of options (None allowed in options)."""
    codes = np.asarray(codes, dtype=np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(list(options), type=pa.string())).cast(pa.string())


def const(value, n) -> pa.Array:
    if value is None:
        return pa.nulls(n, type=pa.string())
    return cat(np.zeros(n, dtype=np.int32), [value])


def strs(values) -> pa.Array:
    return pa.array(list(values) if not isinstance(values, np.ndarray) else values, type=pa.string())


def num_text(x: np.ndarray) -> pa.Array:
    """The text form of a numeric value, as MIMIC writes `value` next to `valuenum`."""
    return pc.cast(f64(x), pa.string())


def table(name: str, cols: dict) -> pa.Table:
    schema = arrow_schema(name)
    arrays = []
    n = None
    for field in schema:
        arr = cols[field.name]
        if not isinstance(arr, (pa.Array, pa.ChunkedArray)):
            raise TypeError(f"{name}.{field.name}: expected an arrow array")
        if arr.type != field.type:
            arr = arr.cast(field.type)
        n = len(arr) if n is None else n
        if len(arr) != n:
            raise ValueError(f"{name}.{field.name}: {len(arr)} rows, expected {n}")
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=schema)


def ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and position within owner for a ragged layout with the given counts."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    local = np.arange(owner.size) - np.repeat(starts, counts)
    return owner, local


def group_cumsum(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each group of a ragged layout."""
    cs = np.cumsum(x)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)] if len(cs) else 0, 0)
    return cs - np.repeat(before, counts)


def round_to_minute(t: np.ndarray) -> np.ndarray:
    return t - np.mod(t, 60)


class Ids:
    """Row identifiers unique across the whole output (chunk-based ranges)."""

    def __init__(self, chunk: int):
        self.chunk = chunk
        self.next = {}

    def take(self, kind: str, n: int, base: int, span: int = 10_000_000) -> np.ndarray:
        start = self.next.get(kind, 0)
        self.next[kind] = start + n
        if start + n > span:
            raise OverflowError(f"{kind}: more than {span} ids in chunk {self.chunk}")
        return base + self.chunk * span + start + np.arange(n, dtype=np.int64)


# ---------------------------------------------------------------- hosp: patients, admissions, ...
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
    f = pop.adm_flags
    ed = f["ed"]
    edreg = pop.admittime - rng.integers(2 * H, 9 * H, A)
    edout = pop.admittime + rng.integers(10 * MIN, 90 * MIN, A)
    provider = np.array([f"P{x:05X}" for x in rng.integers(0, 16**5, A)], dtype=object)
    return table("admissions", {
        "subject_id": i64(pop.subject_id[pop.adm_subject]), "hadm_id": i64(pop.hadm_id),
        "admittime": ts(pop.admittime), "dischtime": ts(pop.dischtime),
        "deathtime": ts(pop.deathtime, null=f["deathtime_missing"]),
        "admission_type": strs(f["admission_type"]), "admit_provider_id": strs(provider),
        "admission_location": strs(f["admission_location"]), "discharge_location": strs(f["discharge_location"]),
        "insurance": strs(f["insurance"]), "language": strs(f["language"]),
        "marital_status": strs(f["marital_status"]), "race": strs(f["race"]),
        "edregtime": ts(edreg, null=~ed), "edouttime": ts(edout, null=~ed),
        "hospital_expire_flag": i64(f["hospital_expire_flag"]),
    })


def icustays(pop: Population) -> pa.Table:
    unknown = pop.flags["outcome_unknown"]
    careunit = pop.flags["careunit"]
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
    ed = pop.adm_flags["ed"]
    ed_adm = np.flatnonzero(ed)
    edreg = pop.admittime[ed_adm] - rng.integers(2 * H, 8 * H, len(ed_adm))
    rows.append((ed_adm, ids.take("transfer", len(ed_adm), 40_000_000), "ED", np.full(len(ed_adm), "Emergency Department", object),
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
    out = np.where(pop.flags["outcome_unknown"], -1, pop.outtime)
    rows.append((pop.stay_adm, pop.stay_id.copy(), ev, pop.flags["careunit"], pop.intime, out))
    # ward after each ICU stay until the next stay or discharge (not after an ICU death)
    after = ~pop.flags["icu_death"]
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
        "curr_service": strs(pop.adm_flags["service"]),
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
        "seq_num": i64(seq + 1), "icd_code": strs([c[0] for c in codes]), "icd_version": i64([c[1] for c in codes]),
    })


def d_labitems() -> pa.Table:
    rows = vocab.D_LABITEMS
    return table("d_labitems", {
        "itemid": i64([r[0] for r in rows]), "label": strs([r[1] for r in rows]),
        "fluid": strs([r[2] for r in rows]), "category": strs([r[3] for r in rows]),
    })


def d_items() -> pa.Table:
    rows = vocab.D_ITEMS
    low = np.array([np.nan if r[7] is None else r[7] for r in rows])
    high = np.array([np.nan if r[8] is None else r[8] for r in rows])
    return table("d_items", {
        "itemid": i64([r[0] for r in rows]), "label": strs([r[1] for r in rows]),
        "abbreviation": strs([r[2] for r in rows]), "linksto": strs([r[3] for r in rows]),
        "category": strs([r[4] for r in rows]), "unitname": strs([r[5] for r in rows]),
        "param_type": strs([r[6] for r in rows]),
        "lownormalvalue": i64(np.nan_to_num(low).astype(np.int64), null=np.isnan(low)), "highnormalvalue": f64(high),
    })


# ---------------------------------------------------------------- the vasoactive infusions
AGENTS = {  # name: itemid, rateuom, amountuom, totalamount, originalamount
    "norepinephrine": (221906, "mcg/kg/min", "mg", 250.0, 8.0),
    "dopamine": (221662, "mcg/kg/min", "mg", 250.0, 400.0),
    "epinephrine": (221289, "mcg/kg/min", "mg", 250.0, 2.0),
    "phenylephrine": (221749, "mcg/kg/min", "mg", 250.0, 60.0),
    "vasopressin": (222315, "units/hour", "units", 100.0, 40.0),
    "dobutamine": (221653, "mcg/kg/min", "mg", 250.0, 250.0),
    "milrinone": (221986, "mcg/kg/min", "mg", 100.0, 20.0),
}


def vasoactive_plan(pop: Population) -> dict:
    """Hourly vasoactive need on a grid from each vasoactive stay's start; sets flags['vaso_stop_h']."""
    rng = pop.rng
    fl = pop.flags
    V = np.flatnonzero(fl["vaso"])
    start = fl["vaso_start_h"][V]
    end_limit = pop.los_h[V] - 0.25
    # no infusion when the stay ends (e.g. an early death) before the planned start
    K = np.where(end_limit > start + 0.5, np.ceil(end_limit - start), 0).astype(np.int64)
    own, k = ragged(K)
    stay = V[own]
    tau = start[own] + k
    theta = severity(pop, V, start) - 0.35
    need = severity(pop, stay, tau) - theta[own]
    off = (need <= 0) & (k >= 3)
    on = group_cumsum(off.astype(np.int64), K) == 0
    stop_h = np.full(len(pop.stay_id), np.nan)
    last_on = np.zeros(len(V))
    np.maximum.at(last_on, own[on], k[on] + 1.0)
    stop_h[V] = np.minimum(start + last_on, end_limit)
    fl["vaso_stop_h"] = stop_h
    responsiveness = np.exp(rng.normal(0, 0.3, len(V)))
    return {"V": V, "own": own, "k": k, "stay": stay, "tau": tau, "need": need, "on": on,
            "end_limit": end_limit, "start": start, "resp": responsiveness}


def inputevents(pop: Population, plan: dict, ids: Ids, padding_per_stay: float) -> pa.Table:
    rng = pop.rng
    fl = pop.flags
    V, own, k, stay, need, on = plan["V"], plan["own"], plan["k"], plan["stay"], plan["need"], plan["on"]
    prim = fl["primary"][stay]
    resp = plan["resp"][own]
    arch = pop.archetype[stay]
    n = len(stay)
    rate = {}
    active = {}
    # norepinephrine / dopamine / epinephrine as primary agent titrated to need
    active["norepinephrine"] = on & (prim == 0)
    rate["norepinephrine"] = np.clip(0.03 + 0.22 * need * resp, 0.01, 2.0).round(2)
    active["dopamine"] = on & (prim == 1)
    rate["dopamine"] = np.clip(4.0 + 8.0 * need * resp, 2.0, 20.0).round(1)
    epi_primary = on & (prim == 2)
    epi_second = on & (prim == 0) & (need > 1.5)
    active["epinephrine"] = epi_primary | epi_second
    rate["epinephrine"] = np.where(epi_primary, np.clip(0.03 + 0.08 * need * resp, 0.01, 0.3),
                                   np.clip(0.02 + 0.08 * (need - 1.5), 0.01, 0.5)).round(2)
    active["phenylephrine"] = on & ((prim == 3) | (fl["add_phenylephrine"][stay] & (k < 12)))
    rate["phenylephrine"] = np.clip(0.5 + 1.2 * need, 0.2, 5.0).round(1)
    vaso_dose = np.array([1.2, 2.4, 2.4, 2.4, 3.6])[rng.integers(0, 5, len(V))][own]
    active["vasopressin"] = on & (((prim == 0) & (need > 0.9) & (arch == SHOCK)) | (prim == 4))
    rate["vasopressin"] = vaso_dose
    ino = fl["inotrope"][stay]
    active["dobutamine"] = on & ino & (k < 24)
    rate["dobutamine"] = np.array([2.5, 5.0])[rng.integers(0, 2, len(V))][own]
    active["milrinone"] = on & fl["milrinone"][stay] & (k < 30)
    rate["milrinone"] = np.array([0.25, 0.375, 0.5])[rng.integers(0, 3, len(V))][own]

    # boundaries: intime + (start + k) h, jittered by up to 15 min (shared by consecutive rows)
    jit = np.where(k == 0, 0, rng.integers(-15, 16, n)) * MIN
    boundary = pop.intime[stay] + ((plan["start"][own] + k) * H).astype(np.int64) + jit
    limit = pop.intime[stay] + (plan["end_limit"][own] * H).astype(np.int64)
    nxt_boundary = np.where(np.r_[own[1:] == own[:-1], False], np.r_[boundary[1:], 0], limit)
    nxt_boundary = np.minimum(nxt_boundary, limit)
    weight = pop.weight_kg[stay]

    parts = []
    for name, (itemid, rateuom, amountuom, total, original) in AGENTS.items():
        act = active[name]
        idx = np.flatnonzero(act)
        if len(idx) == 0:
            continue
        r = rate[name][idx]
        o = own[idx]
        kk = k[idx]
        bag_h = rng.integers(8, 21, len(V))[o]
        bag = kk // bag_h
        # a new row when the stay, contiguity, bag or rate changes
        new = np.r_[True, (o[1:] != o[:-1]) | (kk[1:] != kk[:-1] + 1) | (bag[1:] != bag[:-1]) | (r[1:] != r[:-1])]
        grp = np.cumsum(new) - 1
        first = np.flatnonzero(new)
        last = np.r_[first[1:] - 1, len(idx) - 1]
        st = boundary[idx[first]]
        en = nxt_boundary[idx[last]]
        ok = en - st >= MIN
        st, en = round_to_minute(st), round_to_minute(en)
        g_own = o[first]
        g_rate = r[first].astype(np.float64)
        g_bag = bag[first]
        # order grouping: one linkorderid per (stay, contiguous run, bag)
        new_order = np.r_[True, (g_own[1:] != g_own[:-1]) | (g_bag[1:] != g_bag[:-1])
                          | (kk[first][1:] != kk[last][:-1] + 1)]
        order_no = np.cumsum(new_order) - 1
        # a new bag sometimes starts a few minutes before the old one ends: overlapping same-drug rows
        overlap = new_order & np.r_[False, g_own[1:] == g_own[:-1]] & (rng.random(len(first)) < 0.25)
        st = np.where(overlap, st - rng.integers(5, 21, len(first)) * MIN, st)
        last_of_order = np.r_[new_order[1:], True]
        last_of_run = np.r_[(g_own[1:] != g_own[:-1]) | (kk[first][1:] != kk[last][:-1] + 1), True]
        status = np.where(~last_of_order, 0, np.where(last_of_run, np.where(rng.random(len(first)) < 0.7, 2, 1), 1))
        m = len(first)
        orderid = ids.take("order", m, 1_000_000)
        link = orderid[np.r_[np.flatnonzero(new_order)][order_no]]
        uom = np.zeros(m, dtype=np.int32)
        uoms = [rateuom]
        rates = g_rate.copy()
        # documented unit variants and implausible values (a few rows)
        u = rng.random(m)
        if name == "norepinephrine":
            uoms.append("mg/kg/min")
            sel = u < 0.002
            uom[sel] = 1
            rates[sel] = g_rate[sel] / 1000.0
        if name == "vasopressin":
            uoms.append("units/min")
            sel = u < 0.03
            uom[sel] = 1
            rates[sel] = (g_rate[sel] / 60.0).round(3)
        implausible = rng.random(m) < 0.001
        rates = np.where(implausible, rates * 100.0, rates)
        w = weight[idx[first]]
        dur_min = (en - st) / 60.0
        amount = np.where(name == "vasopressin", g_rate * dur_min / 60.0, g_rate * w * dur_min / 1000.0)
        s_idx = V[g_own]
        pw_null = fl["missing_weight"][s_idx]
        parts.append({
            "stay": s_idx[ok], "start": st[ok], "end": en[ok], "itemid": np.full(ok.sum(), itemid),
            "amount": amount[ok], "amountuom": (amountuom, ok.sum()), "rate": rates[ok],
            "rateuom_codes": uom[ok], "rateuoms": uoms, "orderid": orderid[ok], "link": link[ok],
            "weight": np.where(pw_null, np.nan, w)[ok], "total": total, "status": status[ok],
            "original": original, "orate": g_rate[ok],
        })
    vaso_tbl = [_inputevents_drip(pop, p, rng) for p in parts]
    vaso_tbl.append(_inputevents_padding(pop, ids, padding_per_stay))
    return pa.concat_tables(vaso_tbl)


STATUS = ["ChangeDose/Rate", "FinishedRunning", "Stopped"]


def _inputevents_drip(pop: Population, p: dict, rng) -> pa.Table:
    s = p["stay"]
    m = len(s)
    return table("inputevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "starttime": ts(p["start"]), "endtime": ts(p["end"]),
        "storetime": ts(p["start"] + rng.integers(0, 11, m) * MIN), "itemid": i64(p["itemid"]),
        "amount": f64(p["amount"]), "amountuom": const(p["amountuom"][0], m), "rate": f64(p["rate"]),
        "rateuom": cat(p["rateuom_codes"], p["rateuoms"]), "orderid": i64(p["orderid"]),
        "linkorderid": i64(p["link"]), "ordercategoryname": const("01-Drips", m),
        "secondaryordercategoryname": const("02-Fluids (Crystalloids)", m),
        "ordercomponenttypedescription": const("Main order parameter", m),
        "ordercategorydescription": const("Continuous Med", m), "patientweight": f64(p["weight"]),
        "totalamount": f64(np.full(m, p["total"])), "totalamountuom": const("ml", m),
        "isopenbag": i64(np.zeros(m)), "continueinnextdept": i64(np.zeros(m)),
        "statusdescription": cat(p["status"], STATUS),
        "originalamount": f64(np.full(m, p["original"])), "originalrate": f64(p["orate"]),
    })


def _inputevents_padding(pop: Population, ids: Ids, per_stay: float) -> pa.Table:
    """Maintenance NaCl 0.9% rows (a non-vasoactive continuous IV), about `per_stay` rows per ICU day."""
    rng = pop.rng
    S = len(pop.stay_id)
    every_h = max(24.0 / max(per_stay, 0.1), 0.5)
    counts = np.floor(pop.los_h / every_h).astype(np.int64)
    own, k = ragged(counts)
    st = round_to_minute(pop.intime[own] + (k * every_h * H).astype(np.int64) + rng.integers(0, 30, len(own)) * MIN)
    en = np.minimum(st + int(every_h * H), round_to_minute(pop.outtime[own]))
    keep = en - st >= 5 * MIN
    own, st, en = own[keep], st[keep], en[keep]
    m = len(own)
    rate = np.array([50.0, 75.0, 100.0, 125.0])[rng.integers(0, 4, m)]
    orderid = ids.take("order", m, 1_000_000)
    return table("inputevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[own]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[own]]),
        "stay_id": i64(pop.stay_id[own]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "starttime": ts(st), "endtime": ts(en), "storetime": ts(st + 5 * MIN), "itemid": i64(np.full(m, 225158)),
        "amount": f64(rate * (en - st) / H), "amountuom": const("ml", m), "rate": f64(rate),
        "rateuom": const("mL/hour", m), "orderid": i64(orderid), "linkorderid": i64(orderid),
        "ordercategoryname": const("02-Fluids (Crystalloids)", m),
        "secondaryordercategoryname": const("Additive (Crystalloid)", m),
        "ordercomponenttypedescription": const("Main order parameter", m),
        "ordercategorydescription": const("Continuous IV", m), "patientweight": f64(pop.weight_kg[own]),
        "totalamount": f64(np.full(m, 1000.0)), "totalamountuom": const("ml", m),
        "isopenbag": i64(np.zeros(m)), "continueinnextdept": i64(np.zeros(m)),
        "statusdescription": const("FinishedRunning", m), "originalamount": f64(np.full(m, 1000.0)),
        "originalrate": f64(rate),
    })


# ---------------------------------------------------------------- chartevents
def hourly_grid(pop: Population) -> dict:
    """Charting hours of every stay: from intime rounded up to the hour, hourly until outtime."""
    first = pop.intime + (-pop.intime) % H
    n = np.maximum((pop.outtime - first) // H + 1, 0)
    own, k = ragged(n)
    t = first[own] + k * H
    return {"stay": own, "k": k, "t": t, "t_h": (t - pop.intime[own]) / H}


def chartevents(pop: Population, grid: dict, padding_per_hour: int):
    """Yields chartevents tables (several per chunk, to keep each one moderate in size)."""
    rng = pop.rng
    fl = pop.flags
    st, k, t, th = grid["stay"], grid["k"], grid["t"], grid["t_h"]
    n = len(st)
    sev = severity(pop, st, th)
    cv = organ(pop, "cv", st, th)
    resp = organ(pop, "resp", st, th)
    cns = organ(pop, "cns", st, th)
    infected = fl["infected"][st]
    vent = fl["ventilated"][st] & (th >= fl["vent_start_h"][st]) & (th <= fl["vent_end_h"][st])
    vaso_stop = np.nan_to_num(fl.get("vaso_stop_h", np.full(len(pop.stay_id), np.nan))[st], nan=-1.0)
    vaso_on = fl["vaso"][st] & (th >= fl["vaso_start_h"][st]) & (th <= vaso_stop)
    art_line = fl["vaso"][st] | fl["ventilated"][st]
    noise = lambda sd: rng.normal(0, sd, n)

    def block(sel, itemid, valuenum=None, uom=None, text=None, dt=0, stream=None):
        """One item's rows at grid rows `sel` (valuenum rounded already; text overrides value). `itemid`
        is one itemid or one per grid row; `stream` is the random stream of caregiver and storetime."""
        sel = np.flatnonzero(sel) if sel.dtype == bool else sel
        r = rng if stream is None else stream
        m = len(sel)
        s = st[sel]
        when = t[sel] + (dt if np.isscalar(dt) else dt[sel])
        if text is not None:
            codes, options = text
            value = cat(codes[sel], options)
        else:
            value = num_text(valuenum[sel])
        return table("chartevents", {
            "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
            "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(r.integers(10000, 99999, m)),
            "charttime": ts(when), "storetime": ts(when + r.integers(1, 30, m) * MIN),
            "itemid": i64(np.full(m, itemid) if np.isscalar(itemid) else itemid[sel]),
            "value": value, "valuenum": f64(valuenum[sel]) if valuenum is not None else f64(np.full(m, np.nan)),
            "valueuom": const(uom, m), "warning": i64(np.zeros(m)),
        })

    has_hr = ~fl["no_heart_rate"][st]
    hr = np.clip(82 + 9 * sev + 6 * infected + noise(6), 35, 190).round(0)
    yield block(has_hr, 220045, hr, "bpm")
    rr = np.clip(16 + 2.5 * resp + noise(3), 6, 45).round(0)
    rr = np.where(vent, np.clip(rr, 12, 30), rr)
    yield block(np.ones(n, bool), 220210, rr, "insp/min")
    spo2 = np.clip(97.5 - 1.2 * np.maximum(resp, 0) + noise(1.5), 80, 100).round(0)
    yield block(np.ones(n, bool), 220277, spo2, "%")
    # blood pressure: arterial line when on vasoactives or ventilated, cuff otherwise
    mbp = np.where(vaso_on, 67 + noise(4), np.clip(80 - 5.5 * cv + noise(6), 35, 130))
    mbp = mbp.round(0)
    sbp = (mbp + 28 + noise(5)).round(0)
    dbp = np.clip((3 * mbp - sbp) / 2, 20, 110).round(0)
    yield block(art_line, 220052, mbp, "mmHg")
    yield block(art_line, 220050, sbp, "mmHg")
    yield block(art_line, 220051, dbp, "mmHg")
    cuff = ~art_line | (k % 4 == 0)
    yield block(cuff, 220181, mbp, "mmHg")
    yield block(cuff, 220179, sbp, "mmHg")
    yield block(cuff, 220180, dbp, "mmHg")
    # temperature every 4 h, mostly Fahrenheit
    temp_c = 36.9 + 0.9 * infected * np.clip(sev, 0, 2) / 2 + noise(0.4)
    fahr = (pop.stay_id[st] % 5) != 0
    tsel = k % 4 == 0
    yield block(tsel & fahr, 223761, (temp_c * 1.8 + 32).round(1), "°F")
    yield block(tsel & ~fahr, 223762, temp_c.round(1), "°C")
    # GCS every 4 h (and at the first hour): text values with their valuenum
    gsel = (k % 4 == 1) | (k == 0)
    gcs_total = np.clip(np.round(15 - 2.2 * np.maximum(cns - 0.4, 0) + noise(0.8)), 3, 15)
    eyes = np.clip(np.round(gcs_total / 15 * 4 + noise(0.3)), 1, 4)
    motor = np.clip(np.round(gcs_total / 15 * 6 + noise(0.3)), 1, 6)
    verbal = np.clip(gcs_total - eyes - motor, 1, 5)
    yield block(gsel, 220739, eyes, None, text=((4 - eyes).astype(np.int32), vocab.GCS_EYES))
    verbal_codes = np.where(vent, 5, (5 - verbal)).astype(np.int32)
    yield block(gsel, 223900, np.where(vent, 1.0, verbal), None,
                text=(verbal_codes, vocab.GCS_VERBAL + [vocab.GCS_VERBAL_ETT]))
    yield block(gsel, 223901, motor, None, text=((6 - motor).astype(np.int32), vocab.GCS_MOTOR))
    # respiratory support every 4 h: vent mode + airway + FiO2 + PEEP while ventilated; else O2 device +
    # flow (70 % of stays). The text comes from the respiratory plan (pop.resp_rng); the main stream's
    # draws are those it always made (the two mode draws below are no longer used), so that every other
    # column of a seed is unchanged by the respiratory text.
    rsel = (k % 4 == 2) | (k == 0)
    rng.integers(0, 4, n), rng.integers(0, 2, n)
    rt = respiratory_text(pop, st, k, th, vent, rsel)
    yield block(rsel & vent, rt["mode_itemid"], None, None, text=rt["mode"])
    fio2 = np.clip(np.round((40 + 14 * np.maximum(resp, 0) + noise(5)) / 5) * 5, 30, 100)
    yield block(rsel & vent, 226732, None, None, text=rt["device"])
    yield block(rsel & vent, 223835, fio2, None)
    yield block(rsel & vent, 220339, np.clip(np.round(5 + 2 * np.maximum(resp, 0) + noise(1)), 5, 18), "cmH2O")
    o2 = rsel & ~vent & ((pop.stay_id[st] % 10) < 7)
    yield block(o2, 226732, None, None, text=rt["device"])
    flow = np.clip(np.round(2 + np.maximum(resp, 0) + noise(0.7)), 1, 6)
    yield block(o2, rt["flow_itemid"], flow + rt["flow_offset"], "L/min")
    # the rest of the respiratory text, from its own stream only: airway charted every 2 h (rows
    # without a flow or a mode), Hamilton NIV modes, support of stays without routine O2 rows, room
    # air ('None'), a second device at the same time, the additional cannula flow
    rr_ = pop.resp_rng
    has_text = rsel & ~vent & ~o2 & rt["supported"]
    yield block(vent & (k % 2 == 0) & ~rsel, 226732, None, None, text=rt["device"], stream=rr_)
    yield block(rsel & rt["niv_hamilton_now"], 229314, None, None, text=rt["niv_mode"], stream=rr_)
    yield block(has_text, 226732, None, None, text=rt["device"], stream=rr_)
    extra_flow = np.clip(np.round(2 + np.maximum(resp, 0) + rr_.normal(0, 0.7, n)), 1, 6)
    yield block(has_text & rt["has_flow"], rt["flow_itemid"], extra_flow + rt["flow_offset"], "L/min", stream=rr_)
    yield block(rsel & ~vent & ~o2 & ~rt["supported"] & (k % 8 == 2), 226732, None, None,
                text=(np.zeros(n, np.int32), ["None"]), stream=rr_)
    charted_device = (o2 | has_text) & rt["has_flow"]
    second = charted_device & (rr_.random(n) < np.where(rt["niv_now"], 0.3, 0.05))
    yield block(second, 226732, None, None, text=rt["second_device"], stream=rr_)
    additional = charted_device & rt["niv_now"] & (rr_.random(n) < 0.1)
    yield block(additional, 227287, np.round(rr_.uniform(1, 4, n)), "L/min", stream=rr_)
    # weights: admission weight at the first hour, daily weight every 24 h for half of the stays
    wgt = pop.weight_kg[st]
    yield block(k == 0, 226512, wgt, "kg", dt=rng.integers(5, 50, n) * MIN)
    daily = (k % 24 == 6) & ((pop.stay_id[st] % 2) == 0)
    yield block(daily, 224639, (wgt + noise(1.2)).round(1), "kg")
    yield block((k == 0) & ((pop.stay_id[st] % 5) < 3), 226730, pop.height_cm[st], "cm", dt=20 * MIN)
    # padding: non-concept numeric items (alarm limits, point-of-care labs, vent parameters);
    # `padding_per_hour` charts of each item per hour (a fraction charts only the first items)
    items = list(vocab.CHART_PADDING.items())
    reps = int(np.ceil(padding_per_hour))
    for rep in range(reps):
        share = min(padding_per_hour - rep, 1.0)
        for itemid, (uom, mean, sd, dec) in items[:int(round(share * len(items)))]:
            val = np.round(mean + noise(sd), dec) if sd else np.full(n, mean)
            yield block(np.ones(n, bool), itemid, val, uom, dt=rep * (60 // reps) * MIN)


def _pick(rng, choices, n) -> tuple[np.ndarray, list]:
    """Codes into the texts of a (text, probability) list, n draws."""
    texts = [c for c, _ in choices]
    return rng.choice(len(texts), size=n, p=[p for _, p in choices]).astype(np.int32), texts


def respiratory_text(pop: Population, st, k, th, vent, rsel) -> dict:
    """Per grid row: the ventilator mode (223849, or 229314 on a Hamilton ventilator) by ventilation
    phase, the O2 delivery device (airway while ventilated; NIV mask, high-flow cannula, trach mask or
    the stay's usual device otherwise), the O2 flow item and its offset from a nasal-cannula flow.
    All draws from pop.resp_rng."""
    r = pop.resp_rng
    fl = pop.flags
    n = len(st)
    # ventilator modes: controlled for the first 60 % of the ventilation, then weaning modes
    phase = (th - fl["vent_start_h"][st]) / np.maximum(fl["vent_end_h"][st] - fl["vent_start_h"][st], 1)
    weaning = phase >= 0.6
    hamilton = fl["hamilton"][st]
    lists = [vocab.VENT_MODES_CONTROLLED, vocab.VENT_MODES_WEANING, vocab.HAMILTON_MODES_CONTROLLED,
             vocab.HAMILTON_MODES_WEANING]
    which = 2 * hamilton + weaning
    texts, mode = [], np.zeros(n, np.int32)
    for j, choices in enumerate(lists):
        codes, names = _pick(r, choices, n)
        mode = np.where(which == j, codes + len(texts), mode)
        texts += names
    niv_codes, niv_names = _pick(r, vocab.HAMILTON_MODES_NIV, n)

    # O2 devices: one list of texts, codes per row
    devices = [vocab.ETT, vocab.TRACH_TUBE, vocab.T_PIECE, vocab.TRACH_MASK, *vocab.NIV_MASKS, vocab.HFNC]
    usual = [d for d, _ in vocab.O2_DEVICES]
    devices += usual
    first_usual = devices.index(usual[0])
    trach_tube = vent & (th >= fl["trach_h"][st])
    t_piece = vent & weaning & (r.random(n) < 0.03)
    niv_now = ~vent & (th >= fl["niv_start_h"][st]) & (th < fl["niv_end_h"][st])
    hfnc_now = ~vent & ~niv_now & (th >= fl["hfnc_start_h"][st]) & (th < fl["hfnc_end_h"][st])
    trach_mask = ~vent & ~niv_now & ~hfnc_now & (th > fl["vent_end_h"][st]) & np.isfinite(fl["trach_h"][st])
    # the stay's usual device, replaced on 5 % of rows by another supplemental device (rare ones too)
    other_supp = r.integers(0, len(usual) - 1, n)          # every usual device except 'Other'
    usual_code = np.where(r.random(n) < 0.05, other_supp, fl["o2_device"][st])
    device = np.select(
        [vent & t_piece, vent & trach_tube, vent, niv_now, hfnc_now, trach_mask],
        [devices.index(vocab.T_PIECE), devices.index(vocab.TRACH_TUBE), devices.index(vocab.ETT),
         devices.index(vocab.NIV_MASKS[0]) + fl["niv_mask"][st], devices.index(vocab.HFNC),
         devices.index(vocab.TRACH_MASK)],
        first_usual + usual_code).astype(np.int32)
    # a second device charted at the same time: nasal cannula next to a NIV mask, else a face tent
    second = np.where(niv_now, devices.index('Nasal cannula'), devices.index('Face tent')).astype(np.int32)
    # O2 flow: BiPap O2 Flow (227582) on NIV, else O2 Flow (223834), higher for high flow and masks
    offset = {vocab.HFNC: 40, 'Non-rebreather': 9, 'Face tent': 5, 'Aerosol-cool': 5, 'High flow neb': 6,
              'Venti mask ': 4, 'Medium conc mask ': 4, 'Ultrasonic neb': 5, 'Vapomist': 5, vocab.TRACH_MASK: 4}
    flow_offset = np.array([offset.get(d, 0) for d in devices], dtype=np.float64)[device]
    return {
        "mode_itemid": np.where(hamilton, 229314, 223849), "mode": (mode, texts),
        "niv_mode": (niv_codes, niv_names), "niv_now": niv_now,
        "niv_hamilton_now": niv_now & fl["niv_hamilton"][st],
        "device": (device, devices), "second_device": (second, devices),
        "supported": niv_now | hfnc_now | trach_mask, "has_flow": ~vent,
        "flow_itemid": np.where(niv_now, 227582, 223834), "flow_offset": flow_offset,
    }


# ---------------------------------------------------------------- outputevents
def outputevents(pop: Population, grid: dict) -> pa.Table:
    rng = pop.rng
    fl = pop.flags
    st, k, t, th = grid["stay"], grid["k"], grid["t"], grid["t_h"]
    foley = fl["vaso"][st] | fl["ventilated"][st] | (pop.archetype[st] != OTHER)
    every = np.where(foley, 1, 3)
    sel = np.flatnonzero((k % every == 0) & (k > 0))
    s = st[sel]
    renal = organ(pop, "renal", s, th[sel])
    per_h = np.clip(75 * np.exp(-0.6 * np.maximum(renal, -1)) * np.exp(rng.normal(0, 0.35, len(sel))), 0, 600)
    value = np.round(per_h * every[sel]).astype(np.int64)
    item = np.where(foley[sel], 226559, np.where(rng.random(len(sel)) < 0.8, 226560, 226561))
    m = len(sel)
    return table("outputevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "charttime": ts(t[sel]), "storetime": ts(t[sel] + rng.integers(1, 40, m) * MIN), "itemid": i64(item),
        "value": i64(value), "valueuom": const("ml", m),
    })


# ---------------------------------------------------------------- procedureevents
def procedureevents(pop: Population, ids: Ids) -> pa.Table:
    rng = pop.rng
    fl = pop.flags
    rows = []
    v = np.flatnonzero(fl["ventilated"])
    vst = pop.intime[v] + (np.maximum(fl["vent_start_h"][v], 0) * H).astype(np.int64)
    ven = pop.intime[v] + (fl["vent_end_h"][v] * H).astype(np.int64)
    rows.append((v, vst, ven, 225792, "Ventilation"))
    a = np.flatnonzero(fl["vaso"])
    rows.append((a, pop.intime[a] + rng.integers(10, 120, len(a)) * MIN, pop.outtime[a] - rng.integers(10, 300, len(a)) * MIN,
                 225752, "Invasive Lines"))
    rows.append((a, pop.intime[a] + rng.integers(20, 180, len(a)) * MIN, pop.outtime[a] - rng.integers(10, 300, len(a)) * MIN,
                 224263, "Invasive Lines"))
    allst = np.arange(len(pop.stay_id))
    rows.append((allst, pop.intime - rng.integers(30, 600, len(allst)) * MIN, pop.outtime - rng.integers(0, 120, len(allst)) * MIN,
                 224277, "Peripheral Lines"))
    s = np.concatenate([r[0] for r in rows])
    st = np.concatenate([r[1] for r in rows])
    en = np.concatenate([r[2] for r in rows])
    en = np.maximum(en, st + 15 * MIN) + rng.integers(0, 60, len(s))
    item = np.concatenate([np.full(len(r[0]), r[3]) for r in rows])
    catg = np.concatenate([np.full(len(r[0]), ["Ventilation", "Invasive Lines", "Peripheral Lines"].index(r[4])) for r in rows])
    m = len(s)
    value = ((en - st) / 60.0).round(2)
    orderid = ids.take("procedure", m, 1_000_000)
    return table("procedureevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "starttime": ts(st), "endtime": ts(en), "storetime": ts(en + rng.integers(1, 60, m) * MIN),
        "itemid": i64(item), "value": f64(value), "valueuom": const("min", m),
        "location": const(None, m), "locationcategory": const(None, m), "orderid": i64(orderid),
        "linkorderid": i64(orderid), "ordercategoryname": cat(catg, ["Ventilation", "Invasive Lines", "Peripheral Lines"]),
        "ordercategorydescription": const("ContinuousProcess", m), "patientweight": f64(pop.weight_kg[s]),
        "isopenbag": i64(np.ones(m)), "continueinnextdept": i64(np.zeros(m)),
        "statusdescription": const("FinishedRunning", m), "originalamount": f64(value),
        "originalrate": i64(np.ones(m)),
    })


# ---------------------------------------------------------------- labevents
CHEM = [50912, 51006, 50882, 50983, 50971, 50902, 50931, 50868]
CBC = [51265, 51301, 51222, 51221]
COAG = [51274, 51237, 51275]
LFT = [50885]
BG = [52033, 50821, 50818, 50820, 50802, 50813, 50816]


def lab_values(pop: Population, itemid: int, s: np.ndarray, th: np.ndarray, rng) -> np.ndarray:
    sev = severity(pop, s, th)
    n = len(s)
    e = lambda sd: np.exp(rng.normal(0, sd, n))
    g = lambda sd: rng.normal(0, sd, n)
    renal = lambda: organ(pop, "renal", s, th)
    if itemid == 50912:
        return 0.9 * np.exp(0.1 * pop.comorbidity[s]) * np.exp(0.4 * np.maximum(renal(), -0.5)) * e(0.08)
    if itemid == 51006:
        return 16 * np.exp(0.35 * np.maximum(renal(), -0.5)) * e(0.15)
    if itemid == 50882:
        return np.clip(25 - 2.2 * sev + g(2), 8, 40)
    if itemid == 50983:
        return 139 + g(4)
    if itemid == 50971:
        return np.clip(4.1 + 0.15 * sev + g(0.45), 2.5, 7.5)
    if itemid == 50902:
        return 104 + g(4)
    if itemid == 50931:
        return np.clip(135 + 12 * sev + g(35), 45, 500)
    if itemid == 50868:
        return np.clip(13 + 1.8 * sev + g(2.5), 4, 35)
    if itemid == 51265:
        return np.clip(240 * np.exp(-0.32 * np.maximum(organ(pop, "coag", s, th), -1)) * e(0.12), 5, 900)
    if itemid == 51301:
        return np.clip(8.5 * np.exp(0.22 * pop.flags["infected"][s] * np.maximum(sev, 0)) * e(0.25), 0.3, 80)
    if itemid == 51222:
        return np.clip(10.2 - 0.35 * sev + g(1.2), 5, 17)
    if itemid == 51221:
        return np.clip(31 - 1.0 * sev + g(3.5), 15, 52)
    if itemid == 50885:
        return np.clip(0.55 * np.exp(0.5 * np.maximum(organ(pop, "liver", s, th), -1)) * e(0.2), 0.1, 40)
    if itemid == 51274:
        return np.clip(12.8 * np.exp(0.08 * np.maximum(sev, 0)) * e(0.08), 9, 60)
    if itemid == 51237:
        return np.clip(1.15 * np.exp(0.09 * np.maximum(sev, 0)) * e(0.08), 0.8, 6)
    if itemid == 51275:
        return np.clip(32 + 2 * sev + g(5), 20, 150)
    if itemid == 50818:
        return np.clip(40 + 2 * sev + g(5), 20, 90)
    if itemid == 50820:
        return np.clip(7.40 - 0.035 * sev + g(0.04), 6.9, 7.6)
    if itemid == 50802:
        return np.clip(-1 - 2 * sev + g(2), -20, 12)
    if itemid == 50813:
        return np.clip(1.1 * np.exp(0.35 * np.maximum(sev, 0)) * e(0.2), 0.4, 20)
    mean, sd = vocab.LAB_PADDING[itemid]
    return np.maximum(mean + g(sd), mean * 0.05)


def labevents(pop: Population, ids: Ids, padding: bool):
    """Yields labevents tables: chemistry/CBC/coag/LFT draws and arterial blood gases."""
    rng = pop.rng
    fl = pop.flags
    S = len(pop.stay_id)
    # routine draws: one just before ICU admission, then every 12 h (vasoactive/vent) or 24 h.
    # With padding (realistic profile) draws run every 3 h over the whole hospital admission, since
    # most MIMIC-IV labevents rows lie outside the ICU stay.
    every_h = np.where(fl["vaso"] | fl["ventilated"] | (pop.archetype == SEPSIS), 12.0, 24.0)
    end_h = pop.los_h.copy()
    start_h = np.zeros(S)
    if padding:
        every_h = np.full(S, 3.0)
        first_of_adm = np.r_[True, pop.stay_adm[1:] != pop.stay_adm[:-1]] if S else np.zeros(0, bool)
        last_of_adm = np.r_[pop.stay_adm[1:] != pop.stay_adm[:-1], True] if S else np.zeros(0, bool)
        start_h = np.where(first_of_adm, (pop.admittime[pop.stay_adm] - pop.intime) / H, 0.0)
        end_h = np.where(last_of_adm, (pop.dischtime[pop.stay_adm] - pop.intime) / H, pop.los_h)
    counts = (np.floor((end_h - start_h) / every_h) + 2).astype(np.int64)
    own, k = ragged(counts)
    th = np.where(k == 0, np.minimum(start_h[own], 0) - rng.uniform(0.5, 5.5, len(own)),
                  start_h[own] + (k - 1) * every_h[own] + rng.uniform(1, 3.5, len(own)))
    keep = th < end_h[own]
    own, k, th = own[keep], k[keep], th[keep]
    t_draw = round_to_minute(pop.intime[own] + (th * H).astype(np.int64))
    priority = np.where((k <= 1) | (rng.random(len(own)) < 0.4), 0, 1)
    panels = [CHEM + (list(vocab.LAB_PADDING)[:3] if padding else []), CBC + (list(vocab.LAB_PADDING)[3:8] if padding else []),
              COAG, LFT + (list(vocab.LAB_PADDING)[8:] if padding else [])]
    for p_no, items in enumerate(panels):
        sel = np.ones(len(own), bool) if p_no < 2 else (k % 2 == 0)
        yield _lab_rows(pop, ids, own[sel], th[sel], t_draw[sel], priority[sel], items, rng)
    # arterial blood gases: every 4-6 h while ventilated, every 12 h on vasoactives; 'ART.' specimen
    abg_every = np.where(fl["ventilated"], 5.0, np.where(fl["vaso"], 12.0, 0.0))
    n_abg = np.where(abg_every > 0, np.floor(pop.los_h / np.maximum(abg_every, 1)), 0).astype(np.int64)
    own, k = ragged(n_abg)
    th = k * abg_every[own] + rng.uniform(0.3, 3.0, len(own))
    keep = th < pop.los_h[own]
    own, th = own[keep], th[keep]
    t_draw = round_to_minute(pop.intime[own] + (th * H).astype(np.int64))
    yield _blood_gas_rows(pop, ids, own, th, t_draw, rng)


def _lab_rows(pop, ids, own, th, t_draw, priority, items, rng) -> pa.Table:
    D = len(own)
    specimen = ids.take("specimen", D, 10_000_000)
    m = D * len(items)
    s = np.tile(own, len(items))
    item = np.repeat(np.array(items), D)
    thh = np.tile(th, len(items))
    val = np.empty(m)
    lo = np.empty(m)
    hi = np.empty(m)
    uom_codes = np.empty(m, dtype=np.int32)
    uoms = []
    for j, itemid in enumerate(items):
        sl = slice(j * D, (j + 1) * D)
        uom, l, h, dec = vocab.LAB_UNITS[itemid]
        val[sl] = np.round(lab_values(pop, itemid, own, th, rng), dec)
        lo[sl] = np.nan if l is None else l
        hi[sl] = np.nan if h is None else h
        if uom not in uoms:
            uoms.append(uom)
        uom_codes[sl] = uoms.index(uom)
    flag = np.where((val < lo) | (val > hi), 0, 1).astype(np.int32)
    when = np.tile(t_draw, len(items))
    return table("labevents", {
        "labevent_id": i64(ids.take("labevent", m, 100_000_000, span=100_000_000)),
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "specimen_id": i64(np.tile(specimen, len(items))), "itemid": i64(item), "order_provider_id": const(None, m),
        "charttime": ts(when), "storetime": ts(when + rng.integers(30, 180, m) * MIN), "value": num_text(val),
        "valuenum": f64(val), "valueuom": cat(uom_codes, uoms), "ref_range_lower": f64(lo), "ref_range_upper": f64(hi),
        "flag": cat(flag, ["abnormal", None]), "priority": cat(np.tile(priority, len(items)), ["STAT", "ROUTINE"]),
        "comments": const(None, m),
    })


def _blood_gas_rows(pop, ids, own, th, t_draw, rng) -> pa.Table:
    fl = pop.flags
    D = len(own)
    specimen = ids.take("specimen", D, 10_000_000)
    on_vent = fl["ventilated"][own] & (th >= fl["vent_start_h"][own]) & (th <= fl["vent_end_h"][own])
    resp = organ(pop, "resp", own, th)
    pf = np.clip(430 * np.exp(-0.42 * np.maximum(resp, -0.5)) * np.exp(rng.normal(0, 0.12, D)), 45, 600)
    fio2 = np.where(on_vent, np.clip(np.round((40 + 14 * np.maximum(resp, 0) + rng.normal(0, 5, D)) / 5) * 5, 30, 100), 21.0)
    po2 = np.round(pf * fio2 / 100.0)
    parts = []
    for itemid in BG:
        if itemid == 50816:
            sel = np.flatnonzero(on_vent)
            val = fio2[sel]
        elif itemid == 52033:
            sel = np.arange(D)
            val = np.full(D, np.nan)
        elif itemid == 50821:
            sel = np.arange(D)
            val = po2
        else:
            sel = np.arange(D)
            val = np.round(lab_values(pop, itemid, own, th, rng), vocab.LAB_UNITS[itemid][3])
        parts.append((itemid, sel, val if len(val) == len(sel) else val[sel]))
    s = np.concatenate([own[p[1]] for p in parts])
    spec = np.concatenate([specimen[p[1]] for p in parts])
    when = np.concatenate([t_draw[p[1]] for p in parts])
    item = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    val = np.concatenate([p[2] for p in parts])
    m = len(s)
    is_spec = item == 52033
    uoms = [None] + sorted({vocab.LAB_UNITS[i][0] for i in BG if i != 52033 and vocab.LAB_UNITS[i][0]})
    uom_codes = np.array([0 if i == 52033 else uoms.index(vocab.LAB_UNITS[i][0]) for i in item], dtype=np.int32)
    lo = np.array([np.nan if (i == 52033 or vocab.LAB_UNITS[i][1] is None) else vocab.LAB_UNITS[i][1] for i in item])
    hi = np.array([np.nan if (i == 52033 or vocab.LAB_UNITS[i][2] is None) else vocab.LAB_UNITS[i][2] for i in item])
    text = pc.if_else(pa.array(is_spec), pa.scalar("ART.", pa.string()), num_text(val))
    flag = np.where((val < lo) | (val > hi), 0, 1).astype(np.int32)
    return table("labevents", {
        "labevent_id": i64(ids.take("labevent", m, 100_000_000, span=100_000_000)),
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "specimen_id": i64(spec), "itemid": i64(item), "order_provider_id": const(None, m),
        "charttime": ts(when), "storetime": ts(when + rng.integers(1, 10, m) * MIN), "value": text,
        "valuenum": f64(val), "valueuom": cat(uom_codes, uoms), "ref_range_lower": f64(lo), "ref_range_upper": f64(hi),
        "flag": cat(flag, ["abnormal", None]), "priority": const(None, m),
        "comments": cat(np.where(is_spec, 0, 1).astype(np.int32), ["___", None]),
    })


# ---------------------------------------------------------------- antibiotics and cultures
def infection_workup(pop: Population, ids: Ids) -> tuple[pa.Table, pa.Table]:
    """prescriptions and microbiologyevents: antibiotic/culture pairs inside and outside the
    Sepsis-3 suspicion windows (culture then antibiotic within 72 h; antibiotic then culture within
    24 h), near misses, and ordinary ICU orders."""
    rng = pop.rng
    fl = pop.flags
    S = len(pop.stay_id)
    los = pop.los_h
    inf = fl["infected"]
    # pattern per stay: 0 culture->abx, 1 abx->culture, 2 ED culture->ICU abx (all valid);
    # near misses: 3 none, 4 prophylaxis only, 5 culture then abx > 72 h, 6 abx then culture > 24 h,
    # 7 ED-only antibiotic (+culture), 8 eye ointment (+culture); 9 valid pair on a mild stay
    pat = np.where(inf, rng.choice(3, size=S, p=[0.5, 0.4, 0.1]),
                   rng.choice([3, 4, 5, 6, 7, 8, 9], size=S, p=[0.35, 0.2, 0.08, 0.1, 0.12, 0.05, 0.10]))
    pat = np.where((pop.archetype == CARDIAC) & (pat >= 3) & (rng.random(S) < 0.6), 4, pat)
    t_first = rng.uniform(0.3, 10.0, S)
    t_first = np.minimum(t_first, np.maximum(los - 1.0, 0.1))
    gap = rng.uniform(0.5, 10.0, S)
    cul_h = np.full(S, np.nan)
    abx_h = np.full(S, np.nan)
    abx_drug = rng.integers(0, len(vocab.ANTIBIOTICS), S)
    v = (pat == 0) | (pat == 9)
    cul_h[v] = t_first[v]
    abx_h[v] = np.minimum(t_first[v] + gap[v], np.maximum(los[v] - 0.2, t_first[v] + 0.1))
    v = pat == 1
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + np.minimum(gap[v], 20.0)
    v = pat == 2
    cul_h[v] = -rng.uniform(1, 6, S)[v]
    abx_h[v] = t_first[v]
    v = pat == 5
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + rng.uniform(74, 110, S)[v]
    v = pat == 6
    abx_h[v] = t_first[v]
    cul_h[v] = t_first[v] + rng.uniform(26, 48, S)[v]
    v = pat == 7
    abx_h[v] = -rng.uniform(1.5, 5, S)[v]
    cul_h[v] = abx_h[v] - rng.uniform(0.3, 2, S)[v]
    v = pat == 8
    cul_h[v] = t_first[v]
    abx_h[v] = t_first[v] + 1.0
    # antibiotics never start after ICU discharge in valid patterns (clipped above); near misses may
    # fall outside the stay, which is the point.

    presc = []   # (stay, start_h, stop_h, drug tuple index kind)
    def add(sel, start_h, kind, drug_idx=None):
        sel = np.flatnonzero(sel)
        presc.append((sel, start_h[sel], kind, None if drug_idx is None else drug_idx[sel]))
    has_abx = ~np.isnan(abx_h) & (pat != 4) & (pat != 8)
    add(has_abx, abx_h, "abx", abx_drug)
    second = has_abx & inf & (rng.random(S) < 0.6)
    add(second, abx_h + rng.uniform(0, 2, S), "abx", (abx_drug + 1 + rng.integers(0, 3, S)) % len(vocab.ANTIBIOTICS))
    # pre-ICU (ED) antibiotic dose for many septic stays: stay_id NULL in mimic-code's antibiotic table
    ed_abx = inf & (rng.random(S) < 0.35)
    add(ed_abx, -rng.uniform(1, 5, S), "abx", abx_drug)
    add(pat == 4, rng.uniform(0.2, 3.0, S), "cefazolin")
    add(pat == 8, abx_h, "eye")
    # ordinary ICU orders
    for j in range(len(vocab.OTHER_DRUGS)):
        if vocab.OTHER_DRUGS[j][1] == "Norepinephrine":
            sel = fl["vaso"] & (fl["primary"] == 0)
            add(sel, np.maximum(fl["vaso_start_h"], 0) + 0.1, ("other", j))
        else:
            add(rng.random(S) < 0.6, rng.uniform(0.5, 12, S), ("other", j))

    rows_s, rows_t, rows_d = [], [], []
    for sel, start_h, kind, drug_idx in presc:
        rows_s.append(sel)
        rows_t.append(start_h)
        if kind == "abx":
            rows_d += [vocab.ANTIBIOTICS[i] for i in drug_idx]
        elif kind == "cefazolin":
            rows_d += [vocab.CEFAZOLIN] * len(sel)
        elif kind == "eye":
            rows_d += [vocab.ERYTHRO_OPHTH] * len(sel)
        else:
            rows_d += [vocab.OTHER_DRUGS[kind[1]]] * len(sel)
    s = np.concatenate(rows_s)
    start = round_to_minute(pop.intime[s] + (np.concatenate(rows_t) * H).astype(np.int64))
    m = len(s)
    stop = start + rng.integers(1, 8, m) * 86400 - rng.integers(0, 8, m) * H
    # OTHER_DRUGS rows carry drug_type first; antibiotics are MAIN
    d = [r if len(r) == 12 else ("MAIN",) + r for r in rows_d]
    pharmacy_id = ids.take("pharmacy", m, 10_000_000)
    poe_seq = rng.integers(10, 3000, m)
    subj = pop.subject_id[pop.stay_subject[s]]
    presc_tbl = table("prescriptions", {
        "subject_id": i64(subj), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "pharmacy_id": i64(pharmacy_id), "poe_id": strs([f"{a}-{b}" for a, b in zip(subj, poe_seq)]),
        "poe_seq": i64(poe_seq), "order_provider_id": strs([f"P{x:05X}" for x in rng.integers(0, 16**5, m)]),
        "starttime": ts(start), "stoptime": ts(stop), "drug_type": strs([r[0] for r in d]),
        "drug": strs([r[1] for r in d]), "formulary_drug_cd": strs([r[2] for r in d]),
        "gsn": strs([r[3] or None for r in d]), "ndc": strs([r[4] for r in d]),
        "prod_strength": strs([r[5] for r in d]), "form_rx": const(None, m),
        "dose_val_rx": strs([r[6] for r in d]), "dose_unit_rx": strs([r[7] for r in d]),
        "form_val_disp": strs([r[8] for r in d]), "form_unit_disp": strs([r[9] for r in d]),
        "doses_per_24_hrs": i64([r[10] for r in d]), "route": strs([r[11] for r in d]),
    })

    # cultures: one specimen per stay with a culture time (+ a second specimen for half of the
    # septic stays); positive cultures carry an organism and a susceptibility panel
    cs = np.flatnonzero(~np.isnan(cul_h))
    extra = cs[inf[cs] & (rng.random(len(cs)) < 0.5)]
    spec_stay = np.r_[cs, extra]
    spec_h = np.r_[cul_h[cs], cul_h[extra] + rng.uniform(0, 1, len(extra))]
    K = len(spec_stay)
    spec_kind = rng.choice(len(vocab.CULTURES), size=K, p=vocab.CULTURES_P)
    spec_kind[:len(cs)] = np.where(inf[cs], 0, spec_kind[:len(cs)])  # the index culture of a septic stay is blood
    positive = rng.random(K) < np.where(inf[spec_stay], 0.45, 0.08)
    cancelled = ~positive & (rng.random(K) < 0.01)
    org = rng.integers(0, len(vocab.ORGANISMS), K)
    charttime = round_to_minute(pop.intime[spec_stay] + (spec_h * H).astype(np.int64))
    no_time = rng.random(K) < 0.03        # date-only specimens (charttime NULL)
    chartdate = charttime - charttime % 86400
    micro_specimen_id = ids.take("micro_specimen", K, 1_000_000)
    n_rows = np.where(positive, len(vocab.SUSCEPTIBILITY), 1)
    own, j = ragged(n_rows)
    m = len(own)
    ss = spec_stay[own]
    pos = positive[own]
    canc = cancelled[own]
    ct = charttime[own]
    spec = [vocab.CULTURES[x] for x in spec_kind[own]]
    orgs = [vocab.ORGANISMS[x] for x in org[own]]
    ab = [vocab.SUSCEPTIBILITY[x] for x in j]
    sus = rng.random(m) < 0.8
    micro_tbl = table("microbiologyevents", {
        "microevent_id": i64(ids.take("microevent", m, 1_000_000)),
        "subject_id": i64(pop.subject_id[pop.stay_subject[ss]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[ss]]),
        "micro_specimen_id": i64(micro_specimen_id[own]), "order_provider_id": const(None, m),
        "chartdate": ts(chartdate[own]), "charttime": ts(ct, null=no_time[own]),
        "spec_itemid": i64([x[0] for x in spec]), "spec_type_desc": strs([x[1] for x in spec]),
        "test_seq": i64(np.ones(m)), "storedate": ts(chartdate[own] + 3 * 86400),
        "storetime": ts(ct + 3 * 86400 + rng.integers(0, 12 * H, m)),
        "test_itemid": i64([x[2] for x in spec]), "test_name": strs([x[3] for x in spec]),
        "org_itemid": i64(np.where(pos, [o[0] for o in orgs], np.where(canc, 90760, 0)), null=~pos & ~canc),
        "org_name": strs(np.where(pos, np.array([o[1] for o in orgs], dtype=object), np.where(canc, "CANCELLED", None))),
        "isolate_num": i64(np.ones(m), null=~pos), "quantity": const(None, m),
        "ab_itemid": i64([a[0] for a in ab], null=~pos), "ab_name": strs(np.where(pos, np.array([a[1] for a in ab], dtype=object), None)),
        "dilution_text": strs(np.where(pos, np.where(sus, "<=0.5", "8"), None)),
        "dilution_comparison": strs(np.where(pos, np.where(sus, "<=        ", "=         "), None)),
        "dilution_value": f64(np.where(pos, np.where(sus, 0.5, 8.0), np.nan)),
        "interpretation": strs(np.where(pos, np.where(sus, "S", "R"), None)),
        "comments": strs(np.where(pos | canc, None, "NO GROWTH.")),
    })
    return presc_tbl, micro_tbl
