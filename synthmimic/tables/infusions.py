"""inputevents: the vasoactive infusions titrated to the latent need, and maintenance fluids."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import vocab
from ..latent import severity
from ..population import SHOCK, Population, PrimaryAgent
from .columns import cat, const, f64, i64, table, ts
from .ids import Ids
from .layout import MIN, H, group_cumsum, ragged, round_to_minute

NOREPI, DOPA, EPI, PHENYL_ONLY, VASOPRESSIN_ONLY = (
    PrimaryAgent.NOREPINEPHRINE, PrimaryAgent.DOPAMINE, PrimaryAgent.EPINEPHRINE, PrimaryAgent.PHENYLEPHRINE_ONLY,
    PrimaryAgent.VASOPRESSIN_ONLY)
STATUS = ["ChangeDose/Rate", "FinishedRunning", "Stopped"]     # statusdescription, by code:
CHANGE_DOSE, FINISHED, STOPPED = range(3)


@dataclass
class VasoactivePlan:
    """The hourly grid of vasoactive need: one row per hour k from each vasoactive stay's start."""
    stays: np.ndarray         # the vasoactive stays (indices into the chunk's stays)
    own: np.ndarray           # per grid row: position in `stays`
    k: np.ndarray             # per grid row: hours since the stay's vasoactive start
    stay: np.ndarray          # per grid row: stay index
    tau: np.ndarray           # per grid row: hours after intime
    need: np.ndarray          # per grid row: latent need (severity above the stay's threshold)
    on: np.ndarray            # per grid row: still on vasoactives (off for good after the need ends)
    start: np.ndarray         # per vasoactive stay: start hour
    end_limit: np.ndarray     # per vasoactive stay: last possible hour (just before outtime)
    responsiveness: np.ndarray  # per vasoactive stay: dose per unit of need
    stop_h: np.ndarray        # per stay of the chunk: hour the vasoactives stop (NaN: none)


@dataclass
class Drip:
    """One agent's inputevents rows (before the columns drawn per row)."""
    stay: np.ndarray
    start: np.ndarray
    end: np.ndarray
    itemid: np.ndarray
    amount: np.ndarray
    amountuom: str
    rate: np.ndarray
    rateuom_codes: np.ndarray
    rateuoms: list
    orderid: np.ndarray
    link: np.ndarray
    weight: np.ndarray
    total: float
    status: np.ndarray
    original: float
    orate: np.ndarray


def vasoactive_plan(pop: Population) -> VasoactivePlan:
    """Hourly vasoactive need on a grid from each vasoactive stay's start, and each stay's stop hour."""
    rng = pop.rng
    fl = pop.plan
    V = np.flatnonzero(fl.vaso)
    start = fl.vaso_start_h[V]
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
    responsiveness = np.exp(rng.normal(0, 0.3, len(V)))
    return VasoactivePlan(stays=V, own=own, k=k, stay=stay, tau=tau, need=need, on=on, start=start,
                          end_limit=end_limit, responsiveness=responsiveness, stop_h=stop_h)


def inputevents(pop: Population, plan: VasoactivePlan, ids: Ids, padding_per_stay: float) -> pa.Table:
    rng = pop.rng
    fl = pop.plan
    V, own, k, stay, need, on = plan.stays, plan.own, plan.k, plan.stay, plan.need, plan.on
    prim = fl.primary[stay]
    resp = plan.responsiveness[own]
    arch = pop.archetype[stay]
    n = len(stay)
    rate = {}
    active = {}
    # norepinephrine / dopamine / epinephrine as primary agent titrated to need
    active["norepinephrine"] = on & (prim == NOREPI)
    rate["norepinephrine"] = np.clip(0.03 + 0.22 * need * resp, 0.01, 2.0).round(2)
    active["dopamine"] = on & (prim == DOPA)
    rate["dopamine"] = np.clip(4.0 + 8.0 * need * resp, 2.0, 20.0).round(1)
    epi_primary = on & (prim == EPI)
    epi_second = on & (prim == NOREPI) & (need > 1.5)
    active["epinephrine"] = epi_primary | epi_second
    rate["epinephrine"] = np.where(epi_primary, np.clip(0.03 + 0.08 * need * resp, 0.01, 0.3),
                                   np.clip(0.02 + 0.08 * (need - 1.5), 0.01, 0.5)).round(2)
    active["phenylephrine"] = on & ((prim == PHENYL_ONLY) | (fl.add_phenylephrine[stay] & (k < 12)))
    rate["phenylephrine"] = np.clip(0.5 + 1.2 * need, 0.2, 5.0).round(1)
    vaso_dose = np.array([1.2, 2.4, 2.4, 2.4, 3.6])[rng.integers(0, 5, len(V))][own]
    active["vasopressin"] = on & (((prim == NOREPI) & (need > 0.9) & (arch == SHOCK)) | (prim == VASOPRESSIN_ONLY))
    rate["vasopressin"] = vaso_dose
    ino = fl.inotrope[stay]
    active["dobutamine"] = on & ino & (k < 24)
    rate["dobutamine"] = np.array([2.5, 5.0])[rng.integers(0, 2, len(V))][own]
    active["milrinone"] = on & fl.milrinone[stay] & (k < 30)
    rate["milrinone"] = np.array([0.25, 0.375, 0.5])[rng.integers(0, 3, len(V))][own]

    # boundaries: intime + (start + k) h, jittered by up to 15 min (shared by consecutive rows)
    jit = np.where(k == 0, 0, rng.integers(-15, 16, n)) * MIN
    boundary = pop.intime[stay] + ((plan.start[own] + k) * H).astype(np.int64) + jit
    limit = pop.intime[stay] + (plan.end_limit[own] * H).astype(np.int64)
    nxt_boundary = np.where(np.r_[own[1:] == own[:-1], False], np.r_[boundary[1:], 0], limit)
    nxt_boundary = np.minimum(nxt_boundary, limit)
    weight = pop.weight_kg[stay]

    parts = []
    for name, agent in vocab.VASOACTIVE_AGENTS.items():
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
        status = np.where(~last_of_order, CHANGE_DOSE,
                          np.where(last_of_run, np.where(rng.random(len(first)) < 0.7, STOPPED, FINISHED), FINISHED))
        m = len(first)
        orderid = ids.take("order", m, 1_000_000)
        link = orderid[np.r_[np.flatnonzero(new_order)][order_no]]
        uom = np.zeros(m, dtype=np.int32)
        uoms = [agent.rateuom]
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
        pw_null = fl.missing_weight[s_idx]
        parts.append(Drip(
            stay=s_idx[ok], start=st[ok], end=en[ok], itemid=np.full(ok.sum(), agent.itemid),
            amount=amount[ok], amountuom=agent.amountuom, rate=rates[ok],
            rateuom_codes=uom[ok], rateuoms=uoms, orderid=orderid[ok], link=link[ok],
            weight=np.where(pw_null, np.nan, w)[ok], total=agent.totalamount, status=status[ok],
            original=agent.originalamount, orate=g_rate[ok],
        ))
    vaso_tbl = [_inputevents_drip(pop, p, rng) for p in parts]
    vaso_tbl.append(_inputevents_padding(pop, ids, padding_per_stay))
    return pa.concat_tables(vaso_tbl)


def _inputevents_drip(pop: Population, p: Drip, rng) -> pa.Table:
    s = p.stay
    m = len(s)
    return table("inputevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "starttime": ts(p.start), "endtime": ts(p.end),
        "storetime": ts(p.start + rng.integers(0, 11, m) * MIN), "itemid": i64(p.itemid),
        "amount": f64(p.amount), "amountuom": const(p.amountuom, m), "rate": f64(p.rate),
        "rateuom": cat(p.rateuom_codes, p.rateuoms), "orderid": i64(p.orderid),
        "linkorderid": i64(p.link), "ordercategoryname": const("01-Drips", m),
        "secondaryordercategoryname": const("02-Fluids (Crystalloids)", m),
        "ordercomponenttypedescription": const("Main order parameter", m),
        "ordercategorydescription": const("Continuous Med", m), "patientweight": f64(p.weight),
        "totalamount": f64(np.full(m, p.total)), "totalamountuom": const("ml", m),
        "isopenbag": i64(np.zeros(m)), "continueinnextdept": i64(np.zeros(m)),
        "statusdescription": cat(p.status, STATUS),
        "originalamount": f64(np.full(m, p.original)), "originalrate": f64(p.orate),
    })


def _inputevents_padding(pop: Population, ids: Ids, per_stay: float) -> pa.Table:
    """Maintenance NaCl 0.9% rows (a non-vasoactive continuous IV), about `per_stay` rows per ICU day."""
    rng = pop.rng
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
