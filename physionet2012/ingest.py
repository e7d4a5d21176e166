"""Ingest challenge sets (`set-X.tar.gz` or an extracted `set-X/` folder, plus `Outcomes-X.txt`)
into long-format Parquet: records.parquet, observations.parquet, outcomes.parquet, skipped.parquet.

Archives are streamed member by member (nothing is extracted to disk). Rows are sorted by
(set_name, record_id, line_no), so an archive and its extracted folder give identical files.
All files are written to temporary names and renamed only once every set was read.

Lines and files that cannot be read (parser.SKIP_RULES: an empty parameter name, a bad time or
value, a 0-byte or non-record .txt, a member that is not a .txt, ...) are skipped and listed in
skipped.parquet, one row per line or file with its rule; the data_quality mart counts them. With
strict=True the first one stops the ingest instead. A truncated or non-tar archive always stops it.
"""
from __future__ import annotations

import gzip
import os
import re
import tarfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from physionet2012.parser import P12FormatError, parse_outcomes, parse_record

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
SKIPPED_SCHEMA = pa.schema([
    ("set_name", pa.string()),
    ("source_file", pa.string()),
    ("record_id", pa.int64()),   # NULL where the file gives none
    ("line_no", pa.int32()),     # NULL for a whole file
    ("rule", pa.string()),       # parser.SKIP_RULES
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
    skipped: dict[str, int] = field(default_factory=dict)  # rule -> lines or files skipped

    def skipped_summary(self) -> str:
        """'skipped: 2 line_empty_parameter, 1 member_not_txt' (empty when nothing was skipped)."""
        if not self.skipped:
            return ""
        return "skipped: " + ", ".join(f"{n} {rule}" for rule, n in sorted(self.skipped.items()))


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


def iter_members(source: Path) -> Iterator[tuple[str, str, bytes]]:
    """(file name, name for messages, content) of every regular file of a set archive (streamed,
    nothing extracted) or folder. A truncated or non-tar archive raises P12FormatError naming it."""
    if source.is_dir():
        for path in sorted(p for p in source.iterdir() if p.is_file()):
            yield path.name, str(path), path.read_bytes()
        return
    try:
        with tarfile.open(source, mode="r|gz") as archive:  # stream mode: one pass, no extraction
            for member in archive:
                if member.isfile():
                    # record files are a few kB: read the member whole (stream-mode members are not seekable)
                    content = archive.extractfile(member).read()
                    yield member.name.rsplit("/", 1)[-1], f"{source}:{member.name}", content
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise P12FormatError(f"{source}: truncated or not a gzip-compressed tar archive "
                             f"({' '.join(str(error).split()) or type(error).__name__})") from None


@dataclass
class _SetTables:
    records: pa.Table
    observations: pa.Table
    skipped: pa.Table
    counts: Counter = field(default_factory=Counter)


def _set_tables(set_name: str, source: Path, strict: bool = False) -> _SetTables:
    records = {name: [] for name in RECORDS_SCHEMA.names}
    skipped = {name: [] for name in SKIPPED_SCHEMA.names}
    chunks: list[pa.Table] = []
    seen: dict[int, str] = {}

    def skip(file_name: str, record_id: int | None, line_no: int | None, rule: str) -> None:
        for column, value in zip(SKIPPED_SCHEMA.names, (set_name, file_name, record_id, line_no, rule)):
            skipped[column].append(value)

    for name, label, content in iter_members(source):
        if not name.endswith(".txt"):
            skip(name, None, None, "member_not_txt")  # a README or a stray file: never a record
            continue
        record_id_from_name = _record_id_from_name(name)
        try:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                raise P12FormatError(f"{label}: not UTF-8 text (expected a record file)", "file_not_record") from None
            record = parse_record(text.splitlines(), label, record_id_from_name, strict=strict)
            if record.record_id in seen:
                raise P12FormatError(f"{label}: RecordID {record.record_id} already read from {seen[record.record_id]}",
                                     "record_duplicate")
        except P12FormatError as error:
            if strict or error.rule is None:
                raise
            skip(name, record_id_from_name, None, error.rule)
            continue
        seen[record.record_id] = label
        for line_no, rule in record.skipped:
            skip(name, record.record_id, line_no, rule)
        n = record.n_lines
        records["record_id"].append(record.record_id)
        records["set_name"].append(set_name)
        records["source_file"].append(name)
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
    counts = Counter(skipped["rule"])
    if not seen:
        detail = f" ({', '.join(f'{n} {rule}' for rule, n in sorted(counts.items()))} skipped)" if counts else ""
        raise P12FormatError(f"{source}: no readable <RecordID>.txt record files found{detail}")
    return _SetTables(
        records=pa.table(records, schema=RECORDS_SCHEMA).sort_by("record_id"),
        observations=pa.concat_tables(chunks).sort_by([("record_id", "ascending"), ("line_no", "ascending")]),
        skipped=pa.table(skipped, schema=SKIPPED_SCHEMA).sort_by([("source_file", "ascending"),
                                                                  ("line_no", "ascending")]),
        counts=counts)


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


def ingest(p12_dir: Path | str, out_dir: Path | str, sets: list[str] | None = None,
           strict: bool = False) -> IngestResult:
    """Parse the requested sets (default: every set present in p12_dir) and write the Parquet files."""
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
    tables, outcomes = [], []
    for set_name in wanted:
        tables.append(_set_tables(set_name, available[set_name], strict))
        outcomes_path = p12_dir / f"Outcomes-{set_name}.txt"
        if outcomes_path.exists():
            outcomes.append(_outcomes_table(set_name, outcomes_path))
    return _write(out_dir, wanted, tables, outcomes)


def ingest_records(source: Path | str, out_dir: Path | str, set_name: str = "input",
                   strict: bool = False) -> IngestResult:
    """Records without outcomes (a set-X.tar.gz, or a folder of <RecordID>.txt) as set `set_name`:
    what pipelines/predict.py --input scores. Errors name `source` itself."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"{source}: not found (expected set-X.tar.gz or a folder of <RecordID>.txt files)")
    if source.is_file() and not source.name.endswith((".tar.gz", ".tgz")):
        raise P12FormatError(f"{source}: expected a .tar.gz archive of <RecordID>.txt files or a folder of them")
    return _write(Path(out_dir), [set_name], [_set_tables(set_name, source, strict)], [])


def _write(out_dir: Path, sets: list[str], per_set: list[_SetTables], outcomes: list[pa.Table]) -> IngestResult:
    tables = {
        "records": pa.concat_tables([t.records for t in per_set]),
        "observations": pa.concat_tables([t.observations for t in per_set]),
        "outcomes": pa.concat_tables(outcomes) if outcomes else OUTCOMES_SCHEMA.empty_table(),
        "skipped": pa.concat_tables([t.skipped for t in per_set]),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = {name: out_dir / f".{name}.parquet.tmp-{os.getpid()}" for name in tables}
    try:
        for name, table in tables.items():
            pq.write_table(table, temporary[name], compression="zstd", row_group_size=1_000_000)
        for name in tables:
            os.replace(temporary[name], out_dir / f"{name}.parquet")
    except OSError as error:  # name the output folder, not a temporary file in it
        if error.errno is None:
            raise
        raise OSError(error.errno, os.strerror(error.errno), str(out_dir)) from None
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
    return IngestResult(out_dir=out_dir, sets=sets, n_records=tables["records"].num_rows,
                        n_observations=tables["observations"].num_rows,
                        n_outcomes=tables["outcomes"].num_rows,
                        skipped=dict(sum((t.counts for t in per_set), Counter())))
