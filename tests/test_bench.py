"""bench/bench_scale.py (issue 5): every phase runs end to end at a tiny scale and its figures land in the JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO

SCRIPT = REPO / "bench" / "bench_scale.py"
# 945 stays -> ~120 cohort stays: the smallest realistic-profile size whose splits hold both label classes
QUICK = ["--scale", "0.01", "--format", "parquet", "--no-dbt-tests", "--threads", "1",
         "--set", "mae.epochs=1", "--set", "teacher.epochs=1", "--set", "student.epochs=1",
         "--shap-stays", "10", "--shap-background", "5"]


def run_bench(args: list[str], data_dir) -> subprocess.CompletedProcess:
    env = dict(os.environ, VISTREND_DATA_DIR=str(data_dir), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_bench_scale_end_to_end_writes_every_phase(tmp_path):
    out = tmp_path / "result.json"
    proc = run_bench([*QUICK, "--out", str(out)], tmp_path / "data")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text())

    assert "error" not in result
    assert result["stays_requested"] == 945 and result["icu_stays"] == 945
    assert 0 < result["cohort_stays"] < result["icu_stays"]
    assert set(result["phases"]) == {"synth", "warehouse", "rebuild", "train", "shap"}
    for name, phase in result["phases"].items():
        assert phase["wall_s"] > 0 and phase["cpu_s"] > 0, name
        # per-phase peak RSS (os.wait4 of that child): a python/dbt process, between 50 MiB and 8 GiB
        assert 50 < phase["peak_rss_mib"] < 8192, name
        assert phase["rows_per_s"] > 0, name

    synth = result["phases"]["synth"]
    assert synth["rows_by_table"]["chartevents"] > 0
    assert synth["rows"] == sum(synth["rows_by_table"].values())
    warehouse = result["phases"]["warehouse"]
    # the staged big tables hold what the generator wrote
    assert warehouse["input_rows_by_table"]["stg_mimic__chartevents"] <= synth["rows_by_table"]["chartevents"]
    assert warehouse["input_rows_by_table"]["stg_mimic__chartevents"] > 0
    groups = warehouse["groups"]
    for group in ("staging", "intermediate", "marts"):
        assert groups[group]["nodes"] > 0 and groups[group]["rows"] > 0 and groups[group]["rows_per_s"] > 0, group
    assert "tests" not in groups  # --no-dbt-tests
    rebuild = result["phases"]["rebuild"]
    # the rebuild reads the staged Parquet (reuse itself: test_warehouse.py): same rows
    assert rebuild["input_rows_by_table"] == warehouse["input_rows_by_table"]
    assert rebuild["staging_gib"] == warehouse["staging_gib"] > 0
    train = result["phases"]["train"]
    # the default leak policy (complete_window) trains on the cohort stays in the ICU for the whole window
    assert 0.5 * result["cohort_stays"] < train["stays"] <= result["cohort_stays"]
    assert {"mae", "teacher_probe", "full"} <= set(train["stage_seconds"]["0"])
    assert train["epochs_max"] == {"mae": 1, "teacher": 1, "student": 1}  # --set passed through
    assert result["phases"]["shap"]["stays"] == 10

    machine = result["machine"]
    assert machine["cpus"] >= 1 and machine["memory_gib"] > 0
    assert machine["packages"]["duckdb"] and machine["packages"]["torch"]
    assert len(result["load_avg_start"]) == 3 and len(result["load_avg_end"]) == 3
    assert "wall s" in proc.stdout and "dbt staging" in proc.stdout


def test_bench_scale_default_json_path_and_missing_marts(tmp_path):
    """Train alone without marts: a one-line error naming the folder, the failure recorded in the JSON."""
    data_dir = tmp_path / "data"
    proc = run_bench(["--scale", "0.01", "--phases", "train"], data_dir)
    assert proc.returncode == 1
    assert "no Parquet marts in" in proc.stderr and "scale_0.01" in proc.stderr
    saved = list((data_dir / "bench").glob("*.json"))
    assert len(saved) == 1
    result = json.loads(saved[0].read_text())
    assert result["phases"] == {} and result["error"].startswith("train: no Parquet marts")


def test_bench_scale_rejects_bad_input(tmp_path):
    proc = run_bench(["--phases", "synth,bogus"], tmp_path)
    assert proc.returncode == 2 and "unknown phase(s) bogus" in proc.stderr
    proc = run_bench(["--mimic-iv-dir", str(tmp_path)], tmp_path)
    assert proc.returncode == 2 and "no hosp/ and icu/ folders" in proc.stderr
    assert not (tmp_path / "bench").exists()  # nothing written for rejected input
