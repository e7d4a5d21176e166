"""PhysioNet 2012 ingest: parser edge cases on hand-made record files, archive vs folder input,
lines and files skipped and counted (or --strict), damaged archives, atomic output and the CLI's
error reporting."""
from __future__ import annotations

import csv
import gzip
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import REPO

# the package is importable once pyproject lists it (editable install); until then, from the checkout
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from physionet2012 import SKIP_RULES, P12FormatError, ingest, parse_record  # noqa: E402
from physionet2012.parser import parse_outcomes  # noqa: E402

SCRIPT = REPO / "pipelines" / "ingest_physionet2012.py"

HEADER = "Time,Parameter,Value"
DESCRIPTORS = ["00:00,Age,54", "00:00,Gender,0", "00:00,Height,-1", "00:00,ICUType,4", "00:00,Weight,-1"]
OUTCOMES_HEADER = "RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death"


def record_text(record_id: int, lines: list[str], descriptors: list[str] = DESCRIPTORS) -> str:
    return "\n".join([HEADER, f"00:00,RecordID,{record_id}", *descriptors, *lines]) + "\n"


# a small set covering the edge cases: duplicates at one timestamp, 48:00 and beyond, an unknown
# parameter, -1 in a time series, a descriptors-only record, descriptors interleaved with 00:00 series
SET_FILES = {
    100001: record_text(100001, ["00:07,HR,73", "00:07,HR,75", "00:07,MAP,-1", "47:59,Temp,37.1",
                                 "48:00,Temp,37.3", "48:30,HR,90", "01:00,Lactose,2"]),
    100002: record_text(100002, []),
    100003: "\n".join([HEADER, "00:00,RecordID,100003", "00:00,Age,70", "00:00,DiasABP,50",
                       "00:00,Gender,1", "00:00,Height,170", "00:00,HR,111", "00:00,ICUType,3",
                       "00:00,Weight,80", "00:00,Weight,81", "00:30,Weight,79.5"]) + "\n",
}
OUTCOMES = "\n".join([OUTCOMES_HEADER, "100001,10,3,5,-1,0", "100002,-1,-1,-1,-1,0", "100003,20,8,9,4,1"]) + "\n"


def write_set(root: Path, files: dict[int, str] = SET_FILES, as_archive: bool = False) -> Path:
    """Write set-a as a folder (or as set-a.tar.gz with the challenge's set-a/ prefix) + Outcomes-a.txt."""
    root.mkdir(parents=True, exist_ok=True)
    folder = root / "set-a"
    folder.mkdir(exist_ok=True)
    for record_id, text in files.items():
        (folder / f"{record_id}.txt").write_text(text)
    if as_archive:
        with tarfile.open(root / "set-a.tar.gz", "w:gz") as archive:
            archive.add(folder, arcname="set-a")
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    (root / "Outcomes-a.txt").write_text(OUTCOMES)
    return root


def parse(text: str, name: str = "100001.txt"):
    return parse_record(text.splitlines(), name, int(name.split(".")[0]))


def test_descriptors_only_record_has_no_timeseries():
    record = parse(SET_FILES[100002], "100002.txt")
    assert record.record_id == 100002
    assert record.n_lines == 6
    assert all(record.is_descriptor)
    assert not record.has_timeseries


def test_minus_one_is_kept_raw_for_the_warehouse_to_handle():
    record = parse(SET_FILES[100001])
    values = dict(zip(record.parameters, record.values))
    assert values["Height"] == -1 and values["Weight"] == -1 and values["MAP"] == -1


def test_several_values_at_one_timestamp_and_times_at_or_beyond_48h_are_kept():
    record = parse(SET_FILES[100001])
    hr = [(m, v) for m, p, v in zip(record.minutes, record.parameters, record.values) if p == "HR"]
    assert hr == [(7, 73.0), (7, 75.0), (48 * 60 + 30, 90.0)]
    temp_minutes = [m for m, p in zip(record.minutes, record.parameters) if p == "Temp"]
    assert temp_minutes == [47 * 60 + 59, 48 * 60]
    assert "Lactose" in record.parameters  # unknown parameters are kept (dropped and counted by dbt)


def test_descriptors_interleaved_with_00_00_series_and_weight_as_both():
    record = parse(SET_FILES[100003], "100003.txt")
    flagged = [(p, v) for p, v, d in zip(record.parameters, record.values, record.is_descriptor) if d]
    assert flagged == [("RecordID", 100003), ("Age", 70), ("Gender", 1), ("Height", 170), ("ICUType", 3),
                       ("Weight", 80)]
    series = [(m, p, v) for m, p, v, d in zip(record.minutes, record.parameters, record.values,
                                              record.is_descriptor) if not d]
    assert series == [(0, "DiasABP", 50), (0, "HR", 111), (0, "Weight", 81), (30, "Weight", 79.5)]


@pytest.mark.parametrize("bad_line, what", [
    ("00:07,HR", "3 fields"),
    ("00:07,HR,73,1", "3 fields"),
    ("7 min,HR,73", "HH:MM"),
    ("00:75,HR,73", "HH:MM"),
    ("00:07,HR,abc", "numeric"),
    ("00:07,HR,nan", "finite"),
    ("00:07,,73", "parameter"),
])
def test_malformed_line_names_file_and_line(bad_line, what):
    text = record_text(100001, ["00:05,HR,70", bad_line])
    with pytest.raises(P12FormatError, match=rf"^100001\.txt: line 9: .*{what}") as error:
        parse(text)
    assert repr(bad_line) in str(error.value)


def test_missing_header_and_mismatched_record_id_are_rejected():
    with pytest.raises(P12FormatError, match=r"100001\.txt: line 1: expected the header"):
        parse("00:00,RecordID,100001\n")
    with pytest.raises(P12FormatError, match=r"100001\.txt: line 1: .*empty file"):
        parse("")
    with pytest.raises(P12FormatError, match="does not match the file name"):
        parse(record_text(100009, []), "100001.txt")


def test_outcomes_parse_and_reject_malformed_rows():
    rows = parse_outcomes(OUTCOMES.splitlines(), "Outcomes-a.txt")
    assert [(r.record_id, r.saps_i, r.in_hospital_death) for r in rows] == [
        (100001, 10, 0), (100002, -1, 0), (100003, 20, 1)]
    with pytest.raises(P12FormatError, match=r"Outcomes-a\.txt: line 3: expected 6"):
        parse_outcomes([OUTCOMES_HEADER, "1,2,3,4,5,0", "1,2,3"], "Outcomes-a.txt")
    with pytest.raises(P12FormatError, match=r"Outcomes-a\.txt: line 2: expected integer"):
        parse_outcomes([OUTCOMES_HEADER, "1,2,x,4,5,0"], "Outcomes-a.txt")


def test_archive_and_folder_give_identical_parquet(tmp_path):
    folder_root = write_set(tmp_path / "folder")
    archive_root = write_set(tmp_path / "archive", as_archive=True)
    assert not (archive_root / "set-a").exists()
    ingest(folder_root, tmp_path / "out_folder")
    result = ingest(archive_root, tmp_path / "out_archive")
    assert result.sets == ["a"] and result.n_records == 3 and result.n_outcomes == 3
    for name in ("records", "observations", "outcomes"):
        from_folder = pq.read_table(tmp_path / "out_folder" / f"{name}.parquet")
        from_archive = pq.read_table(tmp_path / "out_archive" / f"{name}.parquet")
        assert from_folder.equals(from_archive), name
    records = pq.read_table(tmp_path / "out_archive" / "records.parquet").to_pylist()
    assert [(r["record_id"], r["has_timeseries"]) for r in records] == [
        (100001, True), (100002, False), (100003, True)]
    observations = pq.read_table(tmp_path / "out_archive" / "observations.parquet")
    assert observations.num_rows == sum(len(t.strip().splitlines()) - 1 for t in SET_FILES.values())
    assert observations.column_names == ["record_id", "set_name", "minutes", "parameter", "value",
                                         "is_descriptor", "line_no"]


def test_malformed_file_leaves_previous_output_untouched(tmp_path):
    root = write_set(tmp_path / "p12")
    out = tmp_path / "out"
    ingest(root, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (root / "set-a" / "100004.txt").write_text(record_text(100004, ["00:10,HR,7O"]))
    with pytest.raises(P12FormatError, match=r"100004\.txt: line 8: expected a numeric Value"):
        ingest(root, out, strict=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files, nothing replaced


def test_cli_reports_error_with_file_and_line_and_exit_code(tmp_path):
    root = write_set(tmp_path / "p12", as_archive=True)
    script = SCRIPT
    ok = subprocess.run([sys.executable, script, root, "--sets", "a", "--out", tmp_path / "out"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "3 records" in ok.stdout
    missing = subprocess.run([sys.executable, script, root, "--sets", "b", "--out", tmp_path / "out"],
                             capture_output=True, text=True)
    assert missing.returncode == 2
    assert "set-{b}" in missing.stderr and "present: a" in missing.stderr
    bad = write_set(tmp_path / "bad", {100001: record_text(100001, ["00:07,HR,73", "oops"])})
    failed = subprocess.run([sys.executable, script, bad, "--out", tmp_path / "bad_out", "--strict"],
                            capture_output=True, text=True)
    assert failed.returncode == 2 and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    assert "100001.txt: line 9" in failed.stderr and "'oops'" in failed.stderr
    assert not (tmp_path / "bad_out").exists() or not any((tmp_path / "bad_out").iterdir())


# archives as they come: unreadable lines and files are skipped and counted; --strict fails fast --------

REAL_WORLD = {
    100001: record_text(100001, ["00:07,HR,73", "06:32,,2.7", "07:00,HR,80"]),  # an empty parameter name
    100003: SET_FILES[100003],
}


def real_world_archive(root: Path) -> Path:
    """set-a.tar.gz with a record holding an empty-parameter line, a README member, a 0-byte record."""
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(root / "set-a.tar.gz", "w:gz") as archive:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(f"set-a/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        add("README", b"PhysioNet 2012 set a\n")
        for record_id, text in REAL_WORLD.items():
            add(f"{record_id}.txt", text.encode())
        add("100002.txt", b"")
    (root / "Outcomes-a.txt").write_text(OUTCOMES)
    return root


def test_skip_rules_match_the_data_quality_seed():
    seed = REPO / "dbt_project" / "seeds" / "physionet2012" / "p12_data_quality_rules.csv"
    with seed.open() as handle:
        ingest_rules = {r["rule"] for r in csv.DictReader(handle) if r["model"] == "stg_p12__skipped"}
    assert ingest_rules == set(SKIP_RULES)


def test_real_world_archive_is_read_with_skips_counted(tmp_path):
    root = real_world_archive(tmp_path / "p12")
    result = ingest(root, tmp_path / "out")
    assert result.skipped == {"line_empty_parameter": 1, "member_not_txt": 1, "file_empty": 1}
    assert result.n_records == 2  # the batch goes on: both readable records are in
    skipped = pq.read_table(tmp_path / "out" / "skipped.parquet").to_pylist()
    assert skipped == [
        {"set_name": "a", "source_file": "100001.txt", "record_id": 100001, "line_no": 9,
         "rule": "line_empty_parameter"},
        {"set_name": "a", "source_file": "100002.txt", "record_id": 100002, "line_no": None, "rule": "file_empty"},
        {"set_name": "a", "source_file": "README", "record_id": None, "line_no": None, "rule": "member_not_txt"},
    ]
    observations = pq.read_table(tmp_path / "out" / "observations.parquet").to_pylist()
    hr = [(o["minutes"], o["value"]) for o in observations if o["record_id"] == 100001 and o["parameter"] == "HR"]
    assert hr == [(7, 73.0), (420, 80.0)]  # the lines around the skipped one are kept
    with pytest.raises(P12FormatError, match=r"set-a\.tar\.gz:set-a/100001\.txt: line 9: expected a parameter name"):
        ingest(root, tmp_path / "strict_out", strict=True)
    assert not (tmp_path / "strict_out").exists()


@pytest.mark.parametrize("text, rule", [
    ("00:00,RecordID,100009\n", "file_not_record"),          # no header
    (record_text(100005, []), "record_id_mismatch"),          # the file is 100009.txt
    ("Time,Parameter,Value\n00:07,HR,73\n", None),            # header and a line: the id from the name
])
def test_a_bad_file_is_skipped_and_counted(tmp_path, text, rule):
    files = {**SET_FILES}
    root = write_set(tmp_path / "p12", files)
    (root / "set-a" / "100009.txt").write_text(text)
    result = ingest(root, tmp_path / "out")
    assert result.skipped == ({rule: 1} if rule else {})
    assert result.n_records == 3 + (rule is None)


def test_cli_counts_skips_on_stderr_and_strict_fails(tmp_path):
    root = real_world_archive(tmp_path / "p12")
    ok = subprocess.run([sys.executable, SCRIPT, root, "--out", tmp_path / "out"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "skipped: 1 file_empty, 1 line_empty_parameter, 1 member_not_txt" in ok.stderr
    assert "2 records" in ok.stdout
    strict = subprocess.run([sys.executable, SCRIPT, root, "--out", tmp_path / "strict", "--strict"],
                            capture_output=True, text=True)
    assert strict.returncode == 2 and len(strict.stderr.strip().splitlines()) == 1, strict.stderr
    assert "set-a.tar.gz:set-a/100001.txt: line 9" in strict.stderr
    assert not (tmp_path / "strict").exists()


@pytest.mark.parametrize("damage", ["truncated", "gzip_not_tar", "not_gzip"])
def test_damaged_archive_is_one_line_naming_it(tmp_path, damage):
    root = write_set(tmp_path / "p12", as_archive=True)
    archive = root / "set-a.tar.gz"
    data = archive.read_bytes()
    archive.write_bytes({"truncated": data[: len(data) // 2], "gzip_not_tar": gzip.compress(b"not a tar\n" * 100),
                         "not_gzip": b"Time,Parameter,Value\n"}[damage])
    proc = subprocess.run([sys.executable, SCRIPT, root, "--out", tmp_path / "out"], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{archive}: truncated or not a gzip-compressed tar archive" in lines[0], proc.stderr
    assert not (tmp_path / "out").exists()
