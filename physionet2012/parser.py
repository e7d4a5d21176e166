"""Parse one challenge record file (`<RecordID>.txt`) and one outcomes file (`Outcomes-X.txt`).

Record files hold a header `Time,Parameter,Value` and lines `HH:MM,Parameter,Value`. The leading
00:00 lines hold the descriptors (RecordID, Age, Gender, Height, ICUType, Weight), usually first;
everything else is time series (Weight also occurs there). Values are kept exactly as written (-1 included):
the dbt staging layer decides what is missing or implausible, and counts it.
"""
from __future__ import annotations

import math
import re
from array import array
from dataclasses import dataclass, field
from typing import Iterable

DESCRIPTORS = ("RecordID", "Age", "Gender", "Height", "ICUType", "Weight")
HEADER = "Time,Parameter,Value"
OUTCOMES_HEADER = ("RecordID", "SAPS-I", "SOFA", "Length_of_stay", "Survival", "In-hospital_death")

_TIME = re.compile(r"^(\d{1,3}):([0-5]\d)$")


class P12FormatError(ValueError):
    """A challenge file that does not follow the documented format; the message names file and line."""


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

    @property
    def has_timeseries(self) -> bool:
        return not all(self.is_descriptor)


def _fail(source: str, line_no: int, what: str, line: str) -> P12FormatError:
    return P12FormatError(f"{source}: line {line_no}: {what}, got {line!r}")


def parse_record(lines: Iterable[str], source: str, record_id_from_name: int | None = None) -> ParsedRecord:
    """Parse the text lines of one record file; `source` names the file in error messages.

    The record id is the RecordID descriptor; when the file name also carries one
    (`<RecordID>.txt`), both must agree.
    """
    interned: dict[str, str] = {}
    record = ParsedRecord(record_id=-1, source_file=source)
    header_seen = False
    seen_descriptors: set[str] = set()
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip().lstrip("\ufeff")
        if not header_seen:
            if line != HEADER:
                raise _fail(source, line_no, f"expected the header {HEADER!r}", raw.rstrip("\r\n"))
            header_seen = True
            continue
        if not line:  # blank lines (e.g. a trailing one) carry nothing
            continue
        parts = line.split(",")
        if len(parts) != 3:
            raise _fail(source, line_no, "expected 'HH:MM,Parameter,Value' (3 fields)", line)
        time_text, parameter, value_text = (p.strip() for p in parts)
        match = _TIME.match(time_text)
        if match is None:
            raise _fail(source, line_no, "expected Time as HH:MM", line)
        if not parameter:
            raise _fail(source, line_no, "expected a parameter name", line)
        try:
            value = float(value_text)
        except ValueError:
            raise _fail(source, line_no, "expected a numeric Value", line) from None
        if not math.isfinite(value):
            raise _fail(source, line_no, "expected a finite numeric Value", line)
        minutes = int(match.group(1)) * 60 + int(match.group(2))
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
        raise P12FormatError(f"{source}: line 1: expected the header {HEADER!r}, got an empty file")
    record.n_lines = len(record.line_nos)

    descriptor_ids = [v for p, v, d in zip(record.parameters, record.values, record.is_descriptor)
                      if d and p == "RecordID"]
    if descriptor_ids:
        record_id = descriptor_ids[0]
        if record_id != int(record_id) or record_id <= 0:
            raise P12FormatError(f"{source}: RecordID descriptor must be a positive integer, got {record_id}")
        record.record_id = int(record_id)
        if record_id_from_name is not None and record.record_id != record_id_from_name:
            raise P12FormatError(
                f"{source}: RecordID descriptor {record.record_id} does not match the file name")
    elif record_id_from_name is not None:
        record.record_id = record_id_from_name
    else:
        raise P12FormatError(f"{source}: no RecordID descriptor at 00:00 and no <RecordID>.txt file name")
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
