"""procedureevents: invasive ventilation and lines."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..population import Population
from .columns import cat, const, f64, i64, table, ts
from .ids import Ids
from .layout import MIN, H


def procedureevents(pop: Population, ids: Ids) -> pa.Table:
    rng = pop.rng
    fl = pop.plan
    rows = []
    v = np.flatnonzero(fl.ventilated)
    vst = pop.intime[v] + (np.maximum(fl.vent_start_h[v], 0) * H).astype(np.int64)
    ven = pop.intime[v] + (fl.vent_end_h[v] * H).astype(np.int64)
    rows.append((v, vst, ven, 225792, "Ventilation"))
    a = np.flatnonzero(fl.vaso)
    rows.append((a, pop.intime[a] + rng.integers(10, 120, len(a)) * MIN,
                 pop.outtime[a] - rng.integers(10, 300, len(a)) * MIN,
                 225752, "Invasive Lines"))
    rows.append((a, pop.intime[a] + rng.integers(20, 180, len(a)) * MIN,
                 pop.outtime[a] - rng.integers(10, 300, len(a)) * MIN,
                 224263, "Invasive Lines"))
    allst = np.arange(len(pop.stay_id))
    rows.append((allst, pop.intime - rng.integers(30, 600, len(allst)) * MIN,
                 pop.outtime - rng.integers(0, 120, len(allst)) * MIN,
                 224277, "Peripheral Lines"))
    s = np.concatenate([r[0] for r in rows])
    st = np.concatenate([r[1] for r in rows])
    en = np.concatenate([r[2] for r in rows])
    en = np.maximum(en, st + 15 * MIN) + rng.integers(0, 60, len(s))
    item = np.concatenate([np.full(len(r[0]), r[3]) for r in rows])
    catg = np.concatenate([np.full(len(r[0]),
                                   ["Ventilation", "Invasive Lines", "Peripheral Lines"].index(r[4])) for r in rows])
    m = len(s)
    value = ((en - st) / 60.0).round(2)
    orderid = ids.take("procedure", m, 1_000_000)
    return table("procedureevents", {
        "subject_id": i64(pop.subject_id[pop.stay_subject[s]]), "hadm_id": i64(pop.hadm_id[pop.stay_adm[s]]),
        "stay_id": i64(pop.stay_id[s]), "caregiver_id": i64(rng.integers(10000, 99999, m)),
        "starttime": ts(st), "endtime": ts(en), "storetime": ts(en + rng.integers(1, 60, m) * MIN),
        "itemid": i64(item), "value": f64(value), "valueuom": const("min", m),
        "location": const(None, m), "locationcategory": const(None, m), "orderid": i64(orderid),
        "linkorderid": i64(orderid),
        "ordercategoryname": cat(catg, ["Ventilation", "Invasive Lines", "Peripheral Lines"]),
        "ordercategorydescription": const("ContinuousProcess", m), "patientweight": f64(pop.weight_kg[s]),
        "isopenbag": i64(np.ones(m)), "continueinnextdept": i64(np.zeros(m)),
        "statusdescription": const("FinishedRunning", m), "originalamount": f64(value),
        "originalrate": i64(np.ones(m)),
    })
