"""outputevents: urine output from the latent renal severity."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..latent import organ
from ..population import OTHER, Population
from .columns import const, i64, table, ts
from .grid import HourlyGrid
from .layout import MIN


def outputevents(pop: Population, grid: HourlyGrid) -> pa.Table:
    rng = pop.rng
    fl = pop.plan
    st, k, t, th = grid
    foley = fl.vaso[st] | fl.ventilated[st] | (pop.archetype[st] != OTHER)
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
