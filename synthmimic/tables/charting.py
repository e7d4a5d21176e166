"""chartevents: vitals, GCS, respiratory support, weights and (realistic profile) padding items."""
from __future__ import annotations

import numpy as np

from .. import vocab
from ..latent import organ, severity
from ..population import Population
from .columns import Coded, cat, const, f64, i64, num_text, table, ts
from .grid import HourlyGrid
from .layout import MIN
from .respiratory import respiratory_text


def chartevents(pop: Population, grid: HourlyGrid, vaso_stop_h: np.ndarray, padding_per_hour: float):
    """Yields chartevents tables (several per chunk, to keep each one moderate in size)."""
    rng = pop.rng
    fl = pop.plan
    st, k, t, th = grid
    n = len(st)
    sev = severity(pop, st, th)
    cv = organ(pop, "cv", st, th)
    resp = organ(pop, "resp", st, th)
    cns = organ(pop, "cns", st, th)
    infected = fl.infected[st]
    vent = fl.ventilated[st] & (th >= fl.vent_start_h[st]) & (th <= fl.vent_end_h[st])
    vaso_stop = np.nan_to_num(vaso_stop_h[st], nan=-1.0)
    vaso_on = fl.vaso[st] & (th >= fl.vaso_start_h[st]) & (th <= vaso_stop)
    art_line = fl.vaso[st] | fl.ventilated[st]

    def noise(sd):
        return rng.normal(0, sd, n)

    def block(sel, itemid, valuenum=None, uom=None, text: Coded | None = None, dt=0, stream=None):
        """One item's rows at grid rows `sel` (valuenum rounded already; text overrides value). `itemid`
        is one itemid or one per grid row; `stream` is the random stream of caregiver and storetime."""
        sel = np.flatnonzero(sel) if sel.dtype == bool else sel
        r = rng if stream is None else stream
        m = len(sel)
        s = st[sel]
        when = t[sel] + (dt if np.isscalar(dt) else dt[sel])
        if text is not None:
            value = cat(text.codes[sel], text.texts)
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

    has_hr = ~fl.no_heart_rate[st]
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
    yield block(gsel, 220739, eyes, None, text=Coded((4 - eyes).astype(np.int32), vocab.GCS_EYES))
    verbal_codes = np.where(vent, 5, (5 - verbal)).astype(np.int32)
    yield block(gsel, 223900, np.where(vent, 1.0, verbal), None,
                text=Coded(verbal_codes, vocab.GCS_VERBAL + [vocab.GCS_VERBAL_ETT]))
    yield block(gsel, 223901, motor, None, text=Coded((6 - motor).astype(np.int32), vocab.GCS_MOTOR))
    # respiratory support every 4 h: vent mode + airway + FiO2 + PEEP while ventilated; else O2 device +
    # flow (70 % of stays). The text comes from the respiratory plan (pop.resp_rng); the main stream's
    # draws are those it always made (the two mode draws below are no longer used), so that every other
    # column of a seed is unchanged by the respiratory text.
    rsel = (k % 4 == 2) | (k == 0)
    rng.integers(0, 4, n), rng.integers(0, 2, n)
    rt = respiratory_text(pop, st, k, th, vent, rsel)
    yield block(rsel & vent, rt.mode_itemid, None, None, text=rt.mode)
    fio2 = np.clip(np.round((40 + 14 * np.maximum(resp, 0) + noise(5)) / 5) * 5, 30, 100)
    yield block(rsel & vent, 226732, None, None, text=rt.device)
    yield block(rsel & vent, 223835, fio2, None)
    yield block(rsel & vent, 220339, np.clip(np.round(5 + 2 * np.maximum(resp, 0) + noise(1)), 5, 18), "cmH2O")
    o2 = rsel & ~vent & ((pop.stay_id[st] % 10) < 7)
    yield block(o2, 226732, None, None, text=rt.device)
    flow = np.clip(np.round(2 + np.maximum(resp, 0) + noise(0.7)), 1, 6)
    yield block(o2, rt.flow_itemid, flow + rt.flow_offset, "L/min")
    # the rest of the respiratory text, from its own stream only: airway charted every 2 h (rows
    # without a flow or a mode), Hamilton NIV modes, support of stays without routine O2 rows, room
    # air ('None'), a second device at the same time, the additional cannula flow
    rr_ = pop.resp_rng
    has_text = rsel & ~vent & ~o2 & rt.supported
    yield block(vent & (k % 2 == 0) & ~rsel, 226732, None, None, text=rt.device, stream=rr_)
    yield block(rsel & rt.niv_hamilton_now, 229314, None, None, text=rt.niv_mode, stream=rr_)
    yield block(has_text, 226732, None, None, text=rt.device, stream=rr_)
    extra_flow = np.clip(np.round(2 + np.maximum(resp, 0) + rr_.normal(0, 0.7, n)), 1, 6)
    yield block(has_text & rt.has_flow, rt.flow_itemid, extra_flow + rt.flow_offset, "L/min", stream=rr_)
    yield block(rsel & ~vent & ~o2 & ~rt.supported & (k % 8 == 2), 226732, None, None,
                text=Coded(np.zeros(n, np.int32), ["None"]), stream=rr_)
    charted_device = (o2 | has_text) & rt.has_flow
    second = charted_device & (rr_.random(n) < np.where(rt.niv_now, 0.3, 0.05))
    yield block(second, 226732, None, None, text=rt.second_device, stream=rr_)
    additional = charted_device & rt.niv_now & (rr_.random(n) < 0.1)
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
