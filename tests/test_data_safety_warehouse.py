"""Data safety of the warehouse build (issue 10, warehouse half; docs/reliability.md).

Raw files are verified when staged, marts are published as one set, empty inputs warn, paths with
spaces and apostrophes work, missing input folders are one error, no raw row reaches the output or
the logs, rate units match case-insensitively.

The demo tests share one good build (through `make warehouse`, in a folder named "o'brien data") and
damage copies of its raw folder and data folder: the staged Parquet files are reused, so each
damaged rebuild only pays for what changed. The plugin and manifest tests need no data.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import BIN, DBT_PROJECT, REPO, dbt_env, run_dbt

from models_py.data import MartError, check_one_build

# the dbt-duckdb plugin (dbt_project/plugins, on dbt's module_paths), tested as plain functions
sys.path.insert(0, str(DBT_PROJECT / "plugins"))
vistrend_files = importlib.import_module("vistrend_files")

PATIENT_MARKER = "ZZSECRETVALUEZZ"  # a value in a malformed raw row: must never be printed or logged


# --------------------------------------------------------------------------------------------
# helpers

def marts_state(data_dir: Path) -> dict[str, str]:
    """Where marts/ points and the sha256 of every file in it: equal before/after = byte-identical."""
    marts = data_dir / "marts"
    state = {"-> link": os.readlink(marts)}
    for path in sorted(marts.iterdir()):
        state[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def mart_views(data_dir: Path) -> dict[str, str]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return dict(con.sql("select view_name, sql from duckdb_views() where not internal").fetchall())
    finally:
        con.close()


def copy_data_dir(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)  # marts stays a link into the copy's mart_builds
    return target


def copy_raw(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def rewrite_gz(path: Path, edit) -> None:
    """Rewrite a csv.gz through edit(lines) -> lines (header included)."""
    with gzip.open(path, "rt") as f:
        lines = f.read().splitlines()
    with gzip.open(path, "wt") as f:
        f.write("\n".join(edit(lines)) + "\n")


def cut_gzip_at_line_boundary(path: Path, keep_fraction: float = 0.5) -> int:
    """Replace a csv.gz by the gzip stream of its first lines without the end of the stream (no final
    block, no CRC/ISIZE trailer), as a copy interrupted at a line boundary: DuckDB reads it as a
    shorter, well-formed CSV. Returns the number of data lines kept."""
    with gzip.open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    kept = lines[: max(2, int(len(lines) * keep_fraction))]
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    path.write_bytes(packer.compress(b"".join(kept)) + packer.flush(zlib.Z_FULL_FLUSH))
    return len(kept) - 1


def dbt_output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


# --------------------------------------------------------------------------------------------
# the plugin's checks as functions (no data needed)

def test_verify_gzip_accepts_whole_files_and_names_truncated_or_corrupt_ones(tmp_path):
    good = tmp_path / "two_members.csv.gz"
    good.write_bytes(gzip.compress(b"a,b\n1,2\n") + gzip.compress(b"3,4\n"))  # concatenated members are valid
    vistrend_files.verify_gzip(str(good))

    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(good.read_bytes()[:-3])  # the last member's ISIZE cut short
    with pytest.raises(vistrend_files.RawFileError, match=r"cut\.csv\.gz: truncated gzip"):
        vistrend_files.verify_gzip(str(cut))

    flipped = bytearray(gzip.compress(b"x" * 10_000 + b"\n"))
    flipped[-6] ^= 0xFF  # a bit flip in the CRC32 trailer
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(bytes(flipped))
    with pytest.raises(vistrend_files.RawFileError, match=r"bad\.csv\.gz: corrupt gzip"):
        vistrend_files.verify_gzip(str(bad))

    line_cut = tmp_path / "line_cut.csv.gz"
    shutil.copy(good, line_cut)
    cut_gzip_at_line_boundary(line_cut)
    with pytest.raises(vistrend_files.RawFileError, match="truncated"):
        vistrend_files.verify_gzip(str(line_cut))


def test_verify_parquet_names_a_truncated_file(tmp_path):
    path = tmp_path / "t.parquet"
    duckdb.sql(f"copy (select range as x from range(1000)) to '{path}' (format parquet)")
    vistrend_files.verify_parquet(str(path))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(vistrend_files.RawFileError, match=r"t\.parquet: truncated or corrupt Parquet"):
        vistrend_files.verify_parquet(str(path))


def test_publish_switches_the_link_and_keeps_the_last_two_builds(tmp_path):
    data = tmp_path / "data"
    builds = []
    for n in range(3):
        build_id = f"b{n}"
        folder = data / "mart_builds" / build_id
        vistrend_files.begin_build(str(folder))
        assert (folder / "_unfinished").exists()
        if n != 1:  # build b1 rebuilt only cohort: the other mart is carried over from b0
            duckdb.sql(f"copy (select {n} as x) to '{folder}/other.parquet' (format parquet)")
        duckdb.sql(f"copy (select {n} as x) to '{folder}/cohort.parquet' (format parquet)")
        vistrend_files.publish_marts(str(data), build_id, json.dumps(["cohort", "other"]), 2)
        builds.append(build_id)
        assert os.readlink(data / "marts") == os.path.join("mart_builds", build_id)
        assert check_one_build(data / "marts") == build_id
        time.sleep(0.01)
    assert sorted(p.name for p in (data / "mart_builds").iterdir()) == ["b1", "b2"]
    manifest = json.loads((data / "marts" / "_manifest.json").read_text())
    assert set(manifest["files"]) == {"cohort.parquet", "other.parquet"}
    assert manifest["files"]["cohort.parquet"]["rows"] == 1
    assert pq.read_table(data / "mart_builds" / "b1" / "other.parquet").column("x").to_pylist() == [0]


def test_check_one_build_names_the_marts_that_disagree(tmp_path):
    data = tmp_path / "data"
    for build_id, value in (("old", 1), ("new", 2)):
        folder = data / "mart_builds" / build_id
        vistrend_files.begin_build(str(folder))
        for name in ("cohort", "severity_scores", "static_features"):
            duckdb.sql(f"copy (select {value} as x, '{name}' as n) to '{folder}/{name}.parquet' (format parquet)")
        vistrend_files.publish_marts(str(data), build_id, "[]", 2)
    mixed = tmp_path / "mixed"
    shutil.copytree(data / "marts", mixed)
    shutil.copy(data / "mart_builds" / "old" / "severity_scores.parquet", mixed / "severity_scores.parquet")
    (mixed / "static_features.parquet").unlink()
    with pytest.raises(MartError) as error:
        check_one_build(mixed)
    message = str(error.value)
    assert "build new" in message and "severity_scores.parquet changed" in message
    assert "static_features.parquet missing" in message and "cohort.parquet" not in message
    assert "\n" not in message

    unfinished = data / "mart_builds" / "killed"
    vistrend_files.begin_build(str(unfinished))
    with pytest.raises(MartError, match="unfinished warehouse build"):
        check_one_build(unfinished)


# --------------------------------------------------------------------------------------------
# the demo: one good build through make, in a folder with a space and an apostrophe

@pytest.fixture(scope="module")
def good_build(demo_dir, tmp_path_factory) -> tuple[Path, Path]:
    """(raw dir, data dir) of `make warehouse` on a copy of the demo under "o'brien data/"."""
    root = tmp_path_factory.mktemp("safety") / "o'brien data"
    raw = copy_raw(demo_dir, root / "mimic raw")
    data_dir = root / "data dir"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "VISTREND_", "MIMIC_IV_DIR"))}
    proc = subprocess.run(["make", "-C", str(REPO), "warehouse", f"VISTREND_DATA_DIR={data_dir}",
                           f"MIMIC_IV_DIR={raw}"], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, dbt_output(proc)[-6000:]
    return raw, data_dir


def test_paths_with_a_space_and_an_apostrophe_build_through_make(good_build):
    _, data_dir = good_build
    assert (data_dir / "marts").is_symlink() and check_one_build(data_dir / "marts")
    assert pq.read_table(data_dir / "marts" / "cohort.parquet").num_rows > 0
    # dbt's target/ and logs/ live in the data folder, none in the repository
    assert (data_dir / "dbt_target" / "run_results.json").exists() and (data_dir / "dbt_logs" / "dbt.log").exists()
    assert not (REPO / "dbt_project" / "logs").exists() or not any(
        "o'brien" in p.read_text(errors="ignore") for p in (REPO / "dbt_project" / "logs").glob("*.log"))
    # the warehouse views read the published set, through the link
    views = mart_views(data_dir)
    assert f"{data_dir}/marts/cohort.parquet".replace("'", "''") in views["cohort"]
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    n_rows = pq.read_table(data_dir / "marts" / "cohort.parquet").num_rows
    assert con.sql("select count(*) from cohort").fetchone()[0] == n_rows
    con.close()


def test_truncated_gzip_cut_at_a_line_boundary_fails_naming_the_file(good_build, tmp_path):
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    before = marts_state(data_dir)
    kept = cut_gzip_at_line_boundary(raw / "icu" / "chartevents.csv.gz")
    # DuckDB alone reads the cut file without complaint: half the rows
    assert duckdb.sql(f"select count(*) from read_csv('{raw}/icu/chartevents.csv.gz')").fetchone()[0] == kept

    proc = run_dbt(["build"], raw, data_dir, check=False)
    out = dbt_output(proc)
    assert proc.returncode != 0
    assert f"{raw}/icu/chartevents.csv.gz: truncated gzip file" in out
    assert marts_state(data_dir) == before, "the published marts changed after a failed build"
    assert not (data_dir / "staging" / "stg_mimic__chartevents.parquet").exists(), \
        "a staged file from the cut file was kept"
    assert sorted(p.name for p in (data_dir / "mart_builds").iterdir()) == [before["-> link"].split("/")[-1]]


def test_a_failed_rebuild_keeps_the_old_set_and_views(good_build, tmp_path):
    """The issue's case: patients changed (new ages reach some marts), services lost a column (staging
    fails): marts/ and the warehouse views stay the previous build's, byte for byte."""
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    before = marts_state(data_dir)
    rewrite_gz(raw / "hosp" / "patients.csv.gz",
               lambda lines: [lines[0]] + [ln.replace(",F,", ",F,9") if i % 2 else ln
                                           for i, ln in enumerate(lines[1:])])
    rewrite_gz(raw / "hosp" / "services.csv.gz", lambda lines: [",".join(ln.split(",")[:-1]) for ln in lines])

    proc = run_dbt(["build"], raw, data_dir, check=False)
    out = dbt_output(proc)
    assert proc.returncode != 0 and "missing column(s) curr_service" in out
    assert "marts not published" in out
    assert marts_state(data_dir) == before
    views = mart_views(data_dir)  # every mart view reads the published set, none the failed build
    for name in (p.stem for p in (data_dir / "marts").glob("*.parquet")):
        assert f"read_parquet('{data_dir}/marts/{name}.parquet')" in views[name], views[name]


def test_a_killed_build_keeps_the_old_set_and_train_refuses_the_unfinished_one(good_build, tmp_path):
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    before = marts_state(data_dir)
    rewrite_gz(raw / "hosp" / "patients.csv.gz", lambda lines: [ln.replace(",M,", ",M,1") for ln in lines])
    old_builds = set((data_dir / "mart_builds").iterdir())

    proc = subprocess.Popen([str(BIN / "dbt"), "build"], cwd=DBT_PROJECT, env=dbt_env(raw, data_dir),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    unfinished, deadline = None, time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        new = [p for p in (data_dir / "mart_builds").iterdir() if p not in old_builds]
        if new and list(new[0].glob("*.parquet")):  # the marts phase has begun
            unfinished = new[0]
            os.kill(proc.pid, signal.SIGKILL)  # our own child
            break
        time.sleep(0.02)
    proc.wait()
    assert unfinished is not None, "the build ended before its marts phase could be interrupted"

    assert marts_state(data_dir) == before
    assert (unfinished / "_unfinished").exists() and not (unfinished / "_manifest.json").exists()
    train = subprocess.run([sys.executable, str(REPO / "pipelines" / "train.py"), "--marts", str(unfinished),
                            "--out", str(tmp_path / "runs"), "--warehouse", str(tmp_path / "none.duckdb")],
                           cwd=REPO, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)),
                           check=False)
    assert train.returncode == 2, train.stderr
    lines = train.stderr.strip().splitlines()
    assert len(lines) == 1 and str(unfinished) in lines[0] and "unfinished warehouse build" in lines[0]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    check_one_build(data_dir / "marts")  # the published set is still whole


def test_header_only_inputevents_warns_naming_the_table_and_the_step(good_build, tmp_path):
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    rewrite_gz(raw / "icu" / "inputevents.csv.gz", lambda lines: lines[:1])

    proc = run_dbt(["build"], raw, data_dir)
    out = dbt_output(proc)
    assert "WARN" in out and "has_rows_stg_mimic__inputevents" in out
    assert "cohort step" in out and "leaves 0 stays" in out
    cohort = pq.read_table(data_dir / "marts" / "cohort.parquet")
    assert cohort.num_rows == 0 and "icu_mortality" in cohort.column_names  # 0 rows, schema kept
    assert pq.read_table(data_dir / "marts" / "vis_hourly.parquet").num_columns == 9


def test_malformed_row_fails_naming_file_line_and_column_never_the_values(good_build, tmp_path):
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    # line 3 of the file (2nd data row): an anchor_age that is not a number, next to a marker value
    rewrite_gz(raw / "hosp" / "patients.csv.gz",
               lambda lines: lines[:2] + [f"10009999,F,{PATIENT_MARKER},2150,2017 - 2019,"] + lines[2:])
    proc = run_dbt(["build"], raw, data_dir, check=False)
    out = dbt_output(proc)
    assert proc.returncode != 0
    assert f"{raw}/hosp/patients.csv.gz: 1 malformed line(s), the first on line 3, column anchor_age (CAST)" in out
    logged = "".join(p.read_text(errors="ignore") for p in (data_dir / "dbt_logs").glob("*.log*"))
    for text, where in ((out, "output"), (logged, "dbt.log")):
        assert PATIENT_MARKER not in text and "10009999" not in text and "Original Line" not in text, where
    assert not (data_dir / "staging" / "stg_mimic__patients.parquet").exists()


def test_uppercase_rate_units_convert_and_a_nan_rate_is_missing(good_build, tmp_path):
    raw, built = good_build
    raw = copy_raw(raw, tmp_path / "raw")
    data_dir = copy_data_dir(built, tmp_path / "data")
    quality = {r["rule"]: r["n_rows"] for r in pq.read_table(built / "marts" / "data_quality.parquet").to_pylist()}
    by_key = [("stay_id", "ascending"), ("hr", "ascending")]
    vis_before = pq.read_table(built / "marts" / "vis_hourly.parquet").sort_by(by_key)
    con = duckdb.connect()
    path = str(raw / "icu" / "inputevents.csv.gz").replace("'", "''")
    raw_rows = f"read_csv('{path}', all_varchar = true)"
    con.sql(f"""copy (
        select * replace (upper(rateuom) as rateuom) from {raw_rows}
        union all  -- one norepinephrine row more, its rate NaN
        (select * replace ('NaN' as rate, 'mcg/kg/min' as rateuom) from {raw_rows} where itemid = '221906' limit 1)
    ) to '{path}' (header, compression gzip)""")

    run_dbt(["run"], raw, data_dir)
    after = {r["rule"]: r["n_rows"] for r in pq.read_table(data_dir / "marts" / "data_quality.parquet").to_pylist()}
    assert after["unknown_rate_unit"] == quality["unknown_rate_unit"]
    assert after["implausible_rate"] == quality["implausible_rate"]
    assert after["missing_rate"] == quality["missing_rate"] + 1
    vis_after = pq.read_table(data_dir / "marts" / "vis_hourly.parquet").sort_by(by_key)
    assert vis_after.equals(vis_before)


# --------------------------------------------------------------------------------------------
# missing or misplaced input folders (tiny, no real data needed)

def test_mimic_iv_dir_at_hosp_says_to_point_at_the_folder_holding_both(tmp_path):
    raw = tmp_path / "mimic"
    (raw / "hosp").mkdir(parents=True)
    (raw / "icu").mkdir()
    data_dir = tmp_path / "data"
    proc = run_dbt(["build"], raw / "hosp", data_dir, check=False)
    out = dbt_output(proc)
    assert proc.returncode != 0
    assert out.count("point MIMIC_IV_DIR at the folder that holds both hosp/ and icu/") == 1, out[-3000:]
    assert not (data_dir / "warehouse.duckdb").exists()


def test_a_missing_input_folder_is_one_error_and_creates_nothing(tmp_path):
    data_dir = tmp_path / "data"
    proc = run_dbt(["build"], tmp_path / "no such folder", data_dir, check=False)
    out = dbt_output(proc)
    assert proc.returncode != 0
    assert out.count(f"MIMIC_IV_DIR {tmp_path}/no such folder does not exist") == 1, out[-3000:]
    assert len(out) < 8000, f"{len(out)} characters of output for one missing folder"
    left = sorted(p.name for p in data_dir.iterdir() if p.name not in ("dbt_target", "dbt_logs"))
    assert left == [], f"created {left}"
