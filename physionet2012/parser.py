"""Parse one challenge record file (`<RecordID>.txt`) and one outcomes file (`Outcomes-X.txt`).

Record files hold a header `Time,Parameter,Value` and lines `HH:MM,Parameter,Value`. The leading
00:00 lines hold the descriptors (RecordID, Age, Gender, Height, ICUType, Weight), usually first;
everything else is time series (Weight also occurs there). Values are kept exactly as written (-1 included):
the dbt staging layer decides what is missing or implausible, and counts it.

Archives in the wild hold lines that cannot be read (an empty parameter name, a time or value that
does not parse). With strict=False such a line is skipped and recorded in `ParsedRecord.skipped` with
its rule (SKIP_RULES), and the ingest counts it; with strict=True (the --strict flag) the first one
raises P12FormatError naming file and line. Problems with a whole file raise P12FormatError with a
`rule`, so the ingest can skip and count the file instead.
"""
from __future__ import annotations

import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

DESCRIPTORS = ("RecordID", "Age", "Gender", "Height", "ICUType", "Weight")
HEADER = "Time,Parameter,Value"
OUTCOMES_HEADER = ("RecordID", "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death")

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d)$")

# why a line or file was skipped; the ingest lists them in skipped.parquet and the data_quality mart
# counts them (seed p12_data_quality_rules describes each, with model stg_p12__skipped)
SKIP_RULES = ("line_fields", "line_bad_time", "line_empty_parameter", "line_bad_value", "file_empty",
              "file_not_record", "record_id_mismatch", "record_duplicate", "member_not_txt")


class P12FormatError(ValueError):
    """A challenge file that does not follow the documented format; the message names file and line.
    `rule`: the SKIP_RULES entry when the whole file can be skipped instead (non-strict ingest)."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


@dataclass
class ParsedRecord:
    """The lines of one record file, column-wise (one entry per data line)."""

    record_id: int
    source_file: str
    n_lines: int = 0
    minutes: array = field(default_factory=lambda: array("i"))
    parameters: list[str] = field(default_factory=list)
    values: array = field(default_factory=lambda: array("d"))
    line_nos: array = field(default_factory=lambda: array("i"))
    is_descriptor: list[bool] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line_no, rule) of lines not read

    @property
    def has_timeseries(self) -> bool:
        return not all(self.is_descriptor)


def _fail(source: str, line_no: int, what: str, line: str, rule: str | None = None) -> P12FormatError:
    return P12FormatError(f"{source}: line {line_no}: {what}, got {line!r}", rule)


def _read_line(line: str) -> tuple[int, str, float] | tuple[str, str]:
    """A data line -> (minutes, parameter, value), or (rule, what was expected) when it cannot be read."""
    parts = line.split(",")
    if len(parts) != 3:
        return "line_fields", "expected 'HH:MM,Parameter,Value' (3 fields)"
    time_text, parameter, value_text = (p.strip() for p in parts)
    match = _TIME.match(time_text)
    if match is None:
        return "line_bad_time", "expected Time as HH:MM"
    if not parameter:
        return "line_empty_parameter", "expected a parameter name"
    try:
        value = float(value_text)
    except ValueError:
        return "line_bad_value", "expected a numeric Value"
    if not math.isfinite(value):
        return "line_bad_value", "expected a finite numeric Value"
    return int(match.group(1)) * 60 + int(match.group(2)), parameter, value


def parse_record(lines: Iterable[str], source: str, record_id_from_name: int | None = None,
                 strict: bool = True) -> ParsedRecord:
    """Parse the text lines of one record file; `source` names the file in error messages.

    The record id is the RecordID descriptor; when the file name also carries one
    (`<RecordID>.txt`), both must agree. strict=False: unreadable lines are skipped into `skipped`.
    """
    interned: dict[str, str] = {}
    record = ParsedRecord(record_id=-1, source_file=source)
    header_seen = False
    seen_descriptors: set[str] = set()
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not header_seen:
            if line != HEADER:
                raise _fail(source, line_no, f"expected the header {HEADER!r}", raw.rstrip("\r\n"), "file_not_record")
            header_seen = True
            continue
        if not line:  # blank lines (e.g. a trailing one) carry nothing
            continue
        read = _read_line(line)
        if len(read) == 2:  # (rule, what was expected)
            if strict:
                raise _fail(source, line_no, read[1], line)
            record.skipped.append((line_no, read[0]))
            continue
        minutes, parameter, value = read
        # descriptors: the first 00:00 line of each descriptor name. Most files put them first, but
        # some interleave them with 00:00 time series (sorted by name); a later 00:00 Weight is a
        # time-series weight.
        descriptor = minutes == 0 and parameter in DESCRIPTORS and parameter not in seen_descriptors
        if descriptor:
            seen_descriptors.add(parameter)
        record.minutes.append(minutes)
        record.parameters.append(interned.setdefault(parameter, parameter))
        record.values.append(value)
        record.line_nos.append(line_no)
        record.is_descriptor.append(descriptor)
    if not header_seen:
        raise P12FormatError(f"{source}: line 1: expected the header {HEADER!r}, got an empty file", "file_empty")
    record.n_lines = len(record.line_nos)

    descriptor_ids = [v for p, v, d in zip(record.parameters, record.values, record.is_descriptor)
                      if d and p == "RecordID"]
    if descriptor_ids:
        record_id = descriptor_ids[0]
        if record_id != int(record_id) or record_id <= 0:
            raise P12FormatError(f"{source}: RecordID descriptor must be a positive integer, got {record_id}",
                                 "file_not_record")
        record.record_id = int(record_id)
        if record_id_from_name is not None and record.record_id != record_id_from_name:
            raise P12FormatError(
                f"{source}: RecordID descriptor {record.record_id} does not match the file name", "record_id_mismatch")
    elif record_id_from_name is not None:
        record.record_id = record_id_from_name
    else:
        raise P12FormatError(f"{source}: no RecordID descriptor at 00:00 and no <RecordID>.txt file name",
                             "file_not_record")
    return record


@dataclass
class ParsedOutcome:
    record_id: int
    saps_i: int
    sofa: int
    length_of_stay: int
    survival: int
    in_hospital_death: int


def parse_outcomes(lines: Iterable[str], source: str) -> list[ParsedOutcome]:
    """Parse `Outcomes-X.txt`: a header with the six challenge columns, then integer rows (-1 kept)."""
    rows: list[ParsedOutcome] = []
    header_seen = False
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not header_seen:
            if tuple(p.strip() for p in line.split(",")) != OUTCOMES_HEADER:
                raise _fail(source, line_no, f"expected the header {','.join(OUTCOMES_HEADER)!r}", line)
            header_seen = True
            continue
        if not line:
            continue
        parts = line.split(",")
        if len(parts) != len(OUTCOMES_HEADER):
            raise _fail(source, line_no, f"expected {len(OUTCOMES_HEADER)} comma-separated integers", line)
        try:
            numbers = [int(float(p)) if float(p) == int(float(p)) else None for p in parts]
        except (ValueError, OverflowError):
            numbers = [None]
        if None in numbers:
            raise _fail(source, line_no, "expected integer values", line)
        rows.append(ParsedOutcome(*numbers))
    if not header_seen:
        raise P12FormatError(f"{source}: line 1: expected the header {','.join(OUTCOMES_HEADER)!r}, got an empty file")
    return rows
