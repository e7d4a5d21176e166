"""labevents: routine panels and arterial blood gases from the latent organ severities."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import vocab
from ..latent import organ, severity
from ..population import SEPSIS, Population
from .columns import cat, const, f64, i64, num_text, table, ts
from .ids import Ids
from .layout import MIN, H, ragged, round_to_minute

CHEM = [50912, 51006, 50882, 50983, 50971, 50902, 50931, 50868]
CBC = [51265, 51301, 51222, 51221]
COAG = [51274, 51237, 51275]
LFT = [50885]
SPECIMEN_TYPE, PO2, OXYGEN = 52033, 50821, 50816     # blood gas items not drawn from lab_values
BG = [SPECIMEN_TYPE, PO2, 50818, 50820, 50802, 50813, OXYGEN]


def lab_values(pop: Population, itemid: int, s: np.ndarray, th: np.ndarray, rng) -> np.ndarray:
    sev = severity(pop, s, th)
    n = len(s)

    def e(sd):      # multiplicative noise
        return np.exp(rng.normal(0, sd, n))

    def g(sd):      # additive noise
        return rng.normal(0, sd, n)

    def renal():
        return organ(pop, "renal", s, th)

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
        return np.clip(8.5 * np.exp(0.22 * pop.plan.infected[s] * np.maximum(sev, 0)) * e(0.25), 0.3, 80)
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
    fl = pop.plan
    S = len(pop.stay_id)
    # routine draws: one just before ICU admission, then every 12 h (vasoactive/vent) or 24 h.
    # With padding (realistic profile) draws run every 3 h over the whole hospital admission, since
    # most MIMIC-IV labevents rows lie outside the ICU stay.
    every_h = np.where(fl.vaso | fl.ventilated | (pop.archetype == SEPSIS), 12.0, 24.0)
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
    panels = [CHEM + (list(vocab.LAB_PADDING)[:3] if padding else []),
              CBC + (list(vocab.LAB_PADDING)[3:8] if padding else []),
              COAG, LFT + (list(vocab.LAB_PADDING)[8:] if padding else [])]
    for p_no, items in enumerate(panels):
        sel = np.ones(len(own), bool) if p_no < 2 else (k % 2 == 0)
        yield _lab_rows(pop, ids, own[sel], th[sel], t_draw[sel], priority[sel], items, rng)
    # arterial blood gases: every 4-6 h while ventilated, every 12 h on vasoactives; 'ART.' specimen
    abg_every = np.where(fl.ventilated, 5.0, np.where(fl.vaso, 12.0, 0.0))
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
    val = np.empty(m)
    lo = np.empty(m)
    hi = np.empty(m)
    uom_codes = np.empty(m, dtype=np.int32)
    uoms = []
    for j, itemid in enumerate(items):
        sl = slice(j * D, (j + 1) * D)
        uom, lower, upper, decimals = vocab.LAB_UNITS[itemid]
        val[sl] = np.round(lab_values(pop, itemid, own, th, rng), decimals)
        lo[sl] = np.nan if lower is None else lower
        hi[sl] = np.nan if upper is None else upper
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
    fl = pop.plan
    D = len(own)
    specimen = ids.take("specimen", D, 10_000_000)
    on_vent = fl.ventilated[own] & (th >= fl.vent_start_h[own]) & (th <= fl.vent_end_h[own])
    resp = organ(pop, "resp", own, th)
    pf = np.clip(430 * np.exp(-0.42 * np.maximum(resp, -0.5)) * np.exp(rng.normal(0, 0.12, D)), 45, 600)
    fio2 = np.where(on_vent, np.clip(np.round((40 + 14 * np.maximum(resp, 0) + rng.normal(0, 5, D)) / 5) * 5, 30, 100),
                    21.0)
    po2 = np.round(pf * fio2 / 100.0)
    parts = []
    for itemid in BG:
        if itemid == OXYGEN:
            sel = np.flatnonzero(on_vent)
            val = fio2[sel]
        elif itemid == SPECIMEN_TYPE:
            sel = np.arange(D)
            val = np.full(D, np.nan)
        elif itemid == PO2:
            sel = np.arange(D)
            val = po2
        else:
            sel = np.arange(D)
            val = np.round(lab_values(pop, itemid, own, th, rng), vocab.LAB_UNITS[itemid].decimals)
        parts.append((itemid, sel, val if len(val) == len(sel) else val[sel]))
    s = np.concatenate([own[p[1]] for p in parts])
    spec = np.concatenate([specimen[p[1]] for p in parts])
    when = np.concatenate([t_draw[p[1]] for p in parts])
    item = np.concatenate([np.full(len(p[1]), p[0]) for p in parts])
    val = np.concatenate([p[2] for p in parts])
    m = len(s)
    is_spec = item == SPECIMEN_TYPE
    unit = vocab.LAB_UNITS
    uoms = [None] + sorted({unit[i].valueuom for i in BG if i != SPECIMEN_TYPE and unit[i].valueuom})
    uom_codes = np.array([0 if i == SPECIMEN_TYPE else uoms.index(unit[i].valueuom) for i in item], dtype=np.int32)
    lo = np.array([np.nan if (i == SPECIMEN_TYPE or unit[i].ref_range_lower is None) else unit[i].ref_range_lower
                   for i in item])
    hi = np.array([np.nan if (i == SPECIMEN_TYPE or unit[i].ref_range_upper is None) else unit[i].ref_range_upper
                   for i in item])
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
