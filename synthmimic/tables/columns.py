"""Arrow columns from numpy arrays, and a table in the exact column order and types of `schema.TABLES`."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import arrow_schema


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


class Coded(NamedTuple):
    """A text column as integer codes into its texts (the form `cat` writes)."""
    codes: np.ndarray
    texts: list


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
