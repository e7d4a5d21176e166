"""Shared paths and runners for the test suite.

Real data is read in place from ../shared/data (never copied into the repository); tests that need
it skip with a clear reason where that folder is absent.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_DIR = SHARED_DATA / "mimic-iv-demo-2.2"
DEMO_REFERENCE = SHARED_DATA / "mimic-iv-demo-2.2-reference"
PHYSIONET2012_DIR = SHARED_DATA / "physionet2012"
BIN = Path(sys.executable).parent


def dbt_env(mimic_iv_dir: Path, data_dir: Path, target_path: Path | None = None) -> dict:
    """Environment for one isolated dbt invocation (own warehouse file, target and log dirs)."""
    env = dict(os.environ)
    env.update(
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PROFILES_DIR=str(DBT_PROJECT),
        MIMIC_IV_DIR=str(mimic_iv_dir),
        VISTREND_DATA_DIR=str(data_dir),
        DBT_TARGET_PATH=str(target_path or (data_dir / "dbt_target")),
        DBT_LOG_PATH=str(data_dir / "dbt_logs"),
    )
    return env


def run_dbt(args: list[str], mimic_iv_dir: Path, data_dir: Path, check: bool = True,
            target_path: Path | None = None) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this environment inside dbt_project/ and return the finished process."""
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(BIN / "dbt"), *args],
        cwd=DBT_PROJECT,
        env=dbt_env(mimic_iv_dir, data_dir, target_path),
        capture_output=True,
        text=True,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-8000:]}\n"
                             f"{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    if not (DEMO_DIR / "icu" / "icustays.csv.gz").exists():
        pytest.skip(f"MIMIC-IV demo not found at {DEMO_DIR} (read in place from ../shared/data)")
    return DEMO_DIR


# a small run with every model (ablations, SHAP), shared by the modeling tests; tests that damage or
# change a run copy it first (copy_run)
QUICK_RUN = ["threads=1", "mae.epochs=2", "teacher.epochs=2", "student.epochs=3", "eval.bootstrap_resamples=50",
             "eval.shap_stays=30", "eval.shap_background=20", "model.d_model=32", "model.ffn_dim=64"]


@pytest.fixture(scope="session")
def small_marts(tmp_path_factory) -> Path:
    from models_py.synthetic_marts import write_marts

    return write_marts(tmp_path_factory.mktemp("small_marts"), n_stays=240, seed=5)


@pytest.fixture(scope="session")
def small_run(small_marts, tmp_path_factory) -> tuple[Path, Path]:
    """(run directory, warehouse it was loaded into) of run_experiment on small_marts with ablations."""
    import duckdb

    from models_py.config import load_config
    from models_py.experiment import run_experiment

    data_dir = tmp_path_factory.mktemp("small_run")
    warehouse = data_dir / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()  # an existing (empty) warehouse to write back into
    cfg = load_config(None, QUICK_RUN).with_run(marts=small_marts, out=data_dir / "runs", ablations=True,
                                                warehouse=warehouse)
    run_dir = run_experiment(cfg, progress=False)
    return run_dir, warehouse


def copy_run(run_dir: Path, target: Path) -> Path:
    """A copy of a run directory (its marts_dir still points at the original marts)."""
    import shutil

    shutil.copytree(run_dir, target)
    return target


def undocumented_mart_columns(data_dir: Path) -> list[str]:
    """'<mart>.<column>' of every mart view column in <data_dir>/warehouse.duckdb without a DuckDB comment.

    dbt writes each column's yml description as a comment (persist_docs), so a column without one is
    a mart column nobody described. Marts are the views over <data_dir>/marts/*.parquet.
    """
    import duckdb

    marts = sorted(p.stem for p in (data_dir / "marts").glob("*.parquet"))
    assert marts, f"no marts under {data_dir / 'marts'}"
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select table_name, column_name from duckdb_columns() "
                           "where table_name in (select unnest(?)) and coalesce(comment, '') = '' "
                           "order by all", [marts]).fetchall()
        n_views = con.execute("select count(*) from duckdb_views() where view_name in (select unnest(?))",
                              [marts]).fetchone()[0]
    finally:
        con.close()
    assert n_views == len(marts), f"expected a view per mart {marts}, found {n_views}"
    return [f"{table}.{column}" for table, column in rows]
