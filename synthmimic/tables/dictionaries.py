"""The dictionaries: icu.d_items and hosp.d_labitems (only the items the generator writes)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import vocab
from .columns import f64, i64, strs, table


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
