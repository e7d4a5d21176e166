"""Streaming, deterministic table writers and the atomic output directory.

csv.gz: each batch of rows is formatted by pyarrow and compressed as its own gzip member (level 1,
mtime 0, no file name) on a small thread pool; members are written in order, so the bytes depend only
on the data. Concatenated gzip members are one valid gzip stream (RFC 1952), read by gzip, DuckDB and
pandas alike. The header line is the first member, unquoted, as in the MIMIC-IV files.
parquet: one row group per batch (zstd), fixed writer options.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .schema import TABLES, arrow_schema

MARKER = "SYNTHETIC.json"
FORMATS = ("csv.gz", "parquet")
MAX_PENDING = 4


def gzip_member(data: bytes) -> bytes:
    """One complete gzip member with a fixed header (mtime 0, no name): same input, same bytes."""
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def float_text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Floats as text that always reads back as a float ('60' -> '60.0'), as MIMIC writes valuenum."""
    text = pc.cast(arr, pa.string())
    return pc.if_else(pc.match_substring_regex(text, r"[.eEn]"), text,
                      pc.binary_join_element_wise(text, ".0", ""))


def csv_bytes(table: pa.Table) -> bytes:
    """CSV rows without header. Like the MIMIC-IV files, values are unquoted; a batch with a value
    that needs quotes (a comma, e.g. 'Bilirubin, Total') is written with its text values quoted."""
    cols = [float_text(c) if pa.types.is_floating(c.type) else c for c in table.columns]
    table = pa.Table.from_arrays(cols, names=table.column_names)
    for style in ("none", "needed"):
        buf = io.BytesIO()
        try:
            pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, batch_size=65536,
                                                           quoting_style=style))
        except pa.ArrowInvalid:
            continue
        return buf.getvalue()
    raise ValueError("a batch could not be written as CSV")


class TableWriter:
    """Writes one MIMIC-IV table as <dir>/<module>/<table>.<fmt>, batch by batch."""

    def __init__(self, root: Path, name: str, fmt: str, pool: ThreadPoolExecutor):
        module, _ = TABLES[name]
        self.name = name
        self.fmt = fmt
        self.pool = pool
        self.schema = arrow_schema(name)
        self.path = root / module / f"{name}.{fmt}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self.pending: list[Future] = []
        if fmt == "csv.gz":
            self.file = open(self.path, "wb")
            header = ",".join(self.schema.names) + "\n"
            self.file.write(gzip_member(header.encode()))
        else:
            self.file = pq.ParquetWriter(self.path, self.schema, compression="zstd", write_statistics=True)

    def write(self, table: pa.Table) -> None:
        if table.schema != self.schema:
            raise TypeError(f"{self.name}: batch schema differs from the table schema")
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        if self.fmt == "parquet":
            self.file.write_table(table)
            return
        self.pending.append(self.pool.submit(lambda t=table: gzip_member(csv_bytes(t))))
        while len(self.pending) > MAX_PENDING:
            self.file.write(self.pending.pop(0).result())

    def close(self) -> None:
        if self.fmt == "parquet":
            self.file.close()
            return
        for fut in self.pending:
            self.file.write(fut.result())
        self.pending = []
        self.file.close()


class AtomicDirectory:
    """A temporary sibling directory, renamed onto `target` on success and removed on failure.

    An existing target is replaced only when it is empty or a previous output of this generator
    (it holds the SYNTHETIC.json marker): never a directory with other content.
    """

    def __init__(self, target: Path):
        self.target = Path(target).absolute()
        self.tmp = self.target.parent / f".{self.target.name}.tmp-{os.getpid()}"

    def check(self) -> None:
        t = self.target
        if t.exists() and not t.is_dir():
            raise ValueError(f"output {t} exists and is not a directory")
        if t.is_dir() and any(t.iterdir()) and not (t / MARKER).exists():
            raise ValueError(f"output {t} is a non-empty directory that is not a synthetic MIMIC-IV output "
                             f"(no {MARKER}); refusing to replace it")
        parent = t.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir():
            raise ValueError(f"output {t} is not writable ({parent} is not a directory)")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ValueError(f"output {t} is not writable (no write permission on {parent})")

    def __enter__(self) -> Path:
        self.check()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        old = None
        if self.target.exists():
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            os.rename(self.target, old)
        os.rename(self.tmp, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False


def write_marker(root: Path, meta: dict) -> None:
    (root / MARKER).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
