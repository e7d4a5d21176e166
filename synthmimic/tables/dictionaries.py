"""The dictionaries: icu.d_items and hosp.d_labitems (only the items the generator writes)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .. import vocab
from .columns import f64, i64, strs, table


def column(rows, name: str) -> list:
    """One field of every row (named tuples)."""
    return [getattr(r, name) for r in rows]


def d_labitems() -> pa.Table:
    rows = vocab.D_LABITEMS
    return table("d_labitems", {
        "itemid": i64(column(rows, "itemid")), "label": strs(column(rows, "label")),
        "fluid": strs(column(rows, "fluid")), "category": strs(column(rows, "category")),
    })


def d_items() -> pa.Table:
    rows = vocab.D_ITEMS
    low = np.array([np.nan if r.lownormalvalue is None else r.lownormalvalue for r in rows])
    high = np.array([np.nan if r.highnormalvalue is None else r.highnormalvalue for r in rows])
    texts = {name: strs(column(rows, name))
             for name in ("label", "abbreviation", "linksto", "category", "unitname", "param_type")}
    return table("d_items", {
        "itemid": i64(column(rows, "itemid")), **texts,
        "lownormalvalue": i64(np.nan_to_num(low).astype(np.int64), null=np.isnan(low)), "highnormalvalue": f64(high),
    })
