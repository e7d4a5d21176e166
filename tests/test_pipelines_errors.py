"""Every failure of the four entry points is one line on stderr naming the file, and exit code 2:
an unwritable output folder, a missing input, a corrupt file, a locked warehouse, inf in a mart.

Read-only folders: root writes through permission bits, so as root the command runs under
`setpriv` without CAP_DAC_OVERRIDE (skipped where setpriv is absent).
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from conftest import REPO

from models_py.data import MartError, load_marts

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines import cli  # noqa: E402

SCRIPTS = {name: str(REPO / "pipelines" / f"{name}.py")
           for name in ("synthesize", "ingest_physionet2012", "train", "predict")}


def unprivileged(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permission bits are not enforced")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *cmd]


def one_line_error(cmd: list[str], needle: str, env: dict | None = None) -> str:
    """Run `cmd`; assert exit 2 and exactly one error line on stderr (the last; progress lines may
    precede it), containing `needle`, and no traceback."""
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert errors == lines[-1:] and needle in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    return errors[0]


@pytest.fixture
def read_only(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def copy_marts(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# synthesize -------------------------------------------------------------------------------------

def test_synthesize_read_only_output_folder(read_only):
    one_line_error(unprivileged([sys.executable, SCRIPTS["synthesize"], "--out", str(read_only / "raw"),
                                 "--stays", "5", "--quiet"]), f"{read_only / 'raw'} is not writable")
    assert list(read_only.iterdir()) == []


# ingest_physionet2012 ---------------------------------------------------------------------------

def p12_set(root: Path) -> Path:
    (root / "set-a").mkdir(parents=True)
    (root / "set-a" / "100001.txt").write_text("Time,Parameter,Value\n00:00,RecordID,100001\n00:07,HR,73\n")
    return root


def test_ingest_read_only_output_folder(tmp_path, read_only):
    root = p12_set(tmp_path / "p12")
    one_line_error(unprivileged([sys.executable, SCRIPTS["ingest_physionet2012"], str(root), "--out", str(read_only)]),
                   f"{read_only}: permission denied")
    assert list(read_only.iterdir()) == []


def test_ingest_missing_input(tmp_path):
    one_line_error([sys.executable, SCRIPTS["ingest_physionet2012"], str(tmp_path / "absent"),
                    "--out", str(tmp_path / "out")], f"{tmp_path / 'absent'}: not a directory")


def test_ingest_corrupt_record_file_is_one_line_in_strict_mode(tmp_path):
    root = p12_set(tmp_path / "p12")
    (root / "set-a" / "100002.txt").write_bytes(b"\xff\xfe\x00garbage")
    one_line_error([sys.executable, SCRIPTS["ingest_physionet2012"], str(root), "--out", str(tmp_path / "out"),
                    "--strict"], f"{root / 'set-a' / '100002.txt'}: not UTF-8 text")


# train ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_train_read_only_runs_folder(small_marts, read_only):
    one_line_error(unprivileged([sys.executable, SCRIPTS["train"], "--marts", str(small_marts),
                                 "--out", str(read_only), "--warehouse", str(read_only / "none.duckdb"),
                                 "--epochs", "1"]), f"{read_only}: permission denied")
    assert list(read_only.iterdir()) == []


@pytest.mark.slow
def test_train_missing_marts(tmp_path):
    one_line_error([sys.executable, SCRIPTS["train"], "--marts", str(tmp_path / "absent"),
                    "--out", str(tmp_path / "runs")], f"{tmp_path / 'absent'}: marts directory does not exist")


@pytest.mark.slow
def test_train_corrupt_mart(small_marts, tmp_path):
    marts = copy_marts(small_marts, tmp_path / "marts")
    path = marts / "static_features.parquet"
    path.write_bytes(path.read_bytes()[:200])  # truncated
    one_line_error([sys.executable, SCRIPTS["train"], "--marts", str(marts), "--out", str(tmp_path / "runs")],
                   f"{path}: not a readable Parquet file")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("mart, column, value, what", [
    ("static_features", "age", float("inf"), "infinite"),
    ("static_features", "age", 1e300, "beyond the float32 range"),
    ("severity_scores", "sapsii", float("-inf"), "infinite"),
])
def test_train_refuses_inf_or_beyond_float32_naming_mart_and_column(small_marts, tmp_path, mart, column, value, what):
    marts = copy_marts(small_marts, tmp_path / "marts")
    path = marts / f"{mart}.parquet"
    frame = pl.read_parquet(path)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 7).then(value).otherwise(pl.col(column).cast(pl.Float64))
                       .alias(column)).write_parquet(path)
    with pytest.raises(MartError, match=rf"^{path}: column {column} has 1 .*{what}"):
        load_marts(marts, ["icu_mortality"], ["sofa_first_day", "sapsii", "lods", "oasis"])
    if column == "age" and what == "infinite":  # and through the CLI, before any training
        one_line_error([sys.executable, SCRIPTS["train"], "--marts", str(marts), "--out", str(tmp_path / "runs")],
                       f"{path}: column age has 1 infinite value(s)")


@pytest.mark.slow
def test_train_locked_warehouse_fails_before_training(small_marts, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    holder = duckdb.connect(str(warehouse))  # this process holds the write lock
    try:
        one_line_error([sys.executable, SCRIPTS["train"], "--marts", str(small_marts), "--out", str(tmp_path / "runs"),
                        "--warehouse", str(warehouse)], f"{warehouse}: locked by another process")
    finally:
        holder.close()
    assert not (tmp_path / "runs").exists()


# predict ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_predict_read_only_output_folder(small_run, read_only):
    run_dir, _ = small_run
    out = read_only / "preds.csv"
    line = one_line_error(unprivileged([sys.executable, SCRIPTS["predict"], "--run", str(run_dir), "--output", str(out),
                                        "--model", "logreg"]), f"{out}: permission denied")
    assert ".preds.csv." not in line  # the user's file, not the temporary sibling
    assert list(read_only.iterdir()) == []


def test_predict_missing_run(tmp_path):
    one_line_error([sys.executable, SCRIPTS["predict"], "--run", str(tmp_path / "absent"),
                    "--output", str(tmp_path / "p.csv")], f"{tmp_path / 'absent'}: not a run directory")


@pytest.mark.slow
def test_predict_missing_input(small_run, tmp_path):
    run_dir, _ = small_run
    one_line_error([sys.executable, SCRIPTS["predict"], "--run", str(run_dir), "--input",
                    str(tmp_path / "set-c.tar.gz"), "--output", str(tmp_path / "p.csv")],
                   f"{tmp_path / 'set-c.tar.gz'}: not found")


@pytest.mark.slow
def test_predict_corrupt_mart(small_run, small_marts, tmp_path):
    run_dir, _ = small_run
    marts = copy_marts(small_marts, tmp_path / "marts")
    (marts / "vis_hourly.parquet").write_bytes(b"PAR1 not really")
    one_line_error([sys.executable, SCRIPTS["predict"], "--run", str(run_dir), "--marts", str(marts),
                    "--output", str(tmp_path / "p.csv")],
                   f"{marts / 'vis_hourly.parquet'}: not a readable Parquet file")


# the shared helper ------------------------------------------------------------------------------

def test_describe_names_the_file_for_os_and_lock_errors(tmp_path):
    assert cli.describe(OSError(errno.ENOSPC, "No space left on device", "/data/x.parquet")) == \
        "/data/x.parquet: no space left on the device (disk full)"
    assert cli.describe(PermissionError(errno.EACCES, "Permission denied", "/data")) == "/data: permission denied"
    warehouse = tmp_path / "w.duckdb"
    holder = duckdb.connect(str(warehouse))
    try:
        code = (f"import duckdb, sys; sys.path.insert(0, {str(REPO)!r}); from pipelines import cli\n"
                f"try:\n    duckdb.connect({str(warehouse)!r})\nexcept Exception as e:\n    print(cli.describe(e))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    finally:
        holder.close()
    assert out == f"{warehouse}: locked by another process (close other DuckDB sessions on it and retry)"


def test_an_unexpected_error_is_one_line_with_its_type(capsys):
    def broken(argv):
        raise KeyError("model_config")
    assert cli.run(broken, [], prog="predict") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["predict: error: 'model_config' (KeyError; VISTREND_TRACEBACK=1 shows where)"]


def test_argument_errors_are_one_line(tmp_path):
    for script in ("train", "predict", "ingest_physionet2012"):
        one_line_error([sys.executable, SCRIPTS[script], "--no-such-flag"], "(see --help)")


def test_finite_marts_load(small_marts):
    data = load_marts(small_marts, ["icu_mortality"], ["sofa_first_day", "sapsii", "lods", "oasis"])
    assert np.isfinite(data.series).all()
