"""Ingest challenge sets (`set-X.tar.gz` or an extracted `set-X/` folder, plus `Outcomes-X.txt`)
into long-format Parquet: records.parquet, observations.parquet, outcomes.parquet.

Archives are streamed member by member (nothing is extracted to disk). Rows are sorted by
(set_name, record_id, line_no), so an archive and its extracted folder give identical files.
All three files are written to temporary names and renamed only once every set parsed cleanly.
"""
from __future__ import annotations

import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from physionet2012.parser import P12FormatError, ParsedRecord, parse_outcomes, parse_record

_SET_ARCHIVE = re.compile(r"^set-([a-z0-9]+)\.tar\.gz$")
_SET_FOLDER = re.compile(r"^set-([a-z0-9]+)$")
_RECORD_NAME = re.compile(r"^(\d+)\.txt$")

RECORDS_SCHEMA = pa.schema([
    ("record_id", pa.int64()),
    ("set_name", pa.string()),
    ("source_file", pa.string()),
    ("n_lines", pa.int32()),
    ("has_timeseries", pa.bool_()),
])
OBSERVATIONS_SCHEMA = pa.schema([
    ("record_id", pa.int64()),
    ("set_name", pa.string()),
    ("minutes", pa.int32()),
    ("parameter", pa.string()),
    ("value", pa.float64()),
    ("is_descriptor", pa.bool_()),
    ("line_no", pa.int32()),
])
OUTCOMES_SCHEMA = pa.schema([
    ("record_id", pa.int64()),
    ("set_name", pa.string()),
    ("saps_i", pa.int32()),
    ("sofa", pa.int32()),
    ("length_of_stay", pa.int32()),
    ("survival", pa.int32()),
    ("in_hospital_death", pa.int32()),
])


@dataclass
class IngestResult:
    out_dir: Path
    sets: list[str]
    n_records: int
    n_observations: int
    n_outcomes: int


def find_sets(p12_dir: Path) -> dict[str, Path]:
    """Set name -> its source (archive preferred over a folder of the same set)."""
    found: dict[str, Path] = {}
    for path in sorted(p12_dir.iterdir()):
        folder = _SET_FOLDER.match(path.name)
        if folder and path.is_dir():
            found.setdefault(folder.group(1), path)
    for path in sorted(p12_dir.iterdir()):
        archive = _SET_ARCHIVE.match(path.name)
        if archive and path.is_file():
            found[archive.group(1)] = path
    return found


def _record_id_from_name(name: str) -> int | None:
    match = _RECORD_NAME.match(name)
    return int(match.group(1)) if match else None


def iter_set_records(source: Path) -> Iterator[ParsedRecord]:
    """Parse every `<RecordID>.txt` of a set archive (streamed) or folder."""
    if source.is_dir():
        for path in sorted(source.glob("*.txt")):
            with open(path, encoding="utf-8", newline="") as handle:
                yield parse_record(handle, str(path), _record_id_from_name(path.name))
        return
    with tarfile.open(source, mode="r|gz") as archive:  # stream mode: one pass, no extraction
        for member in archive:
            name = member.name.rsplit("/", 1)[-1]
            if not member.isfile() or not name.endswith(".txt"):
                continue
            # record files are a few kB: read the member whole (stream-mode members are not seekable)
            text = archive.extractfile(member).read().decode("utf-8").splitlines()
            yield parse_record(text, f"{source}:{member.name}", _record_id_from_name(name))


def _set_tables(set_name: str, source: Path) -> tuple[pa.Table, pa.Table]:
    records = {name: [] for name in RECORDS_SCHEMA.names}
    chunks: list[pa.Table] = []
    seen: dict[int, str] = {}
    for record in iter_set_records(source):
        if record.record_id in seen:
            raise P12FormatError(
                f"{record.source_file}: RecordID {record.record_id} already read from {seen[record.record_id]}")
        seen[record.record_id] = record.source_file
        n = record.n_lines
        records["record_id"].append(record.record_id)
        records["set_name"].append(set_name)
        records["source_file"].append(record.source_file.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
        records["n_lines"].append(n)
        records["has_timeseries"].append(record.has_timeseries)
        chunks.append(pa.table({
            "record_id": pa.array([record.record_id] * n, pa.int64()),
            "set_name": pa.array([set_name] * n, pa.string()),
            "minutes": pa.array(record.minutes, pa.int32()),
            "parameter": pa.array(record.parameters, pa.string()),
            "value": pa.array(record.values, pa.float64()),
            "is_descriptor": pa.array(record.is_descriptor, pa.bool_()),
            "line_no": pa.array(record.line_nos, pa.int32()),
        }, schema=OBSERVATIONS_SCHEMA))
    if not seen:
        raise P12FormatError(f"{source}: no <RecordID>.txt record files found")
    records_table = pa.table(records, schema=RECORDS_SCHEMA).sort_by("record_id")
    observations = pa.concat_tables(chunks).sort_by([("record_id", "ascending"), ("line_no", "ascending")])
    return records_table, observations


def _outcomes_table(set_name: str, path: Path) -> pa.Table:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = parse_outcomes(handle, str(path))
    columns = {name: [] for name in OUTCOMES_SCHEMA.names}
    for row in rows:
        columns["record_id"].append(row.record_id)
        columns["set_name"].append(set_name)
        columns["saps_i"].append(row.saps_i)
        columns["sofa"].append(row.sofa)
        columns["length_of_stay"].append(row.length_of_stay)
        columns["survival"].append(row.survival)
        columns["in_hospital_death"].append(row.in_hospital_death)
    return pa.table(columns, schema=OUTCOMES_SCHEMA).sort_by("record_id")


def ingest(p12_dir: Path | str, out_dir: Path | str, sets: list[str] | None = None) -> IngestResult:
    """Parse the requested sets (default: every set present in p12_dir) and write the three Parquet files."""
    p12_dir, out_dir = Path(p12_dir), Path(out_dir)
    if not p12_dir.is_dir():
        raise FileNotFoundError(f"{p12_dir}: not a directory (expected set-X.tar.gz or set-X/ inside)")
    available = find_sets(p12_dir)
    wanted = sets or sorted(available)
    missing = [s for s in wanted if s not in available]
    if missing or not wanted:
        raise FileNotFoundError(
            f"{p12_dir}: no set-{{{','.join(missing) or 'X'}}}.tar.gz or set-X/ folder found "
            f"(present: {', '.join(sorted(available)) or 'none'})")

    records, observations, outcomes = [], [], []
    for set_name in wanted:
        set_records, set_observations = _set_tables(set_name, available[set_name])
        records.append(set_records)
        observations.append(set_observations)
        outcomes_path = p12_dir / f"Outcomes-{set_name}.txt"
        if outcomes_path.exists():
            outcomes.append(_outcomes_table(set_name, outcomes_path))

    tables = {
        "records": pa.concat_tables(records),
        "observations": pa.concat_tables(observations),
        "outcomes": pa.concat_tables(outcomes) if outcomes else OUTCOMES_SCHEMA.empty_table(),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = {name: out_dir / f".{name}.parquet.tmp-{os.getpid()}" for name in tables}
    try:
        for name, table in tables.items():
            pq.write_table(table, temporary[name], compression="zstd", row_group_size=1_000_000)
        for name in tables:
            os.replace(temporary[name], out_dir / f"{name}.parquet")
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
    return IngestResult(out_dir=out_dir, sets=wanted, n_records=tables["records"].num_rows,
                        n_observations=tables["observations"].num_rows,
                        n_outcomes=tables["outcomes"].num_rows)
