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
        raise AssertionError(f"dbt {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-8000:]}\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    if not (DEMO_DIR / "icu" / "icustays.csv.gz").exists():
        pytest.skip(f"MIMIC-IV demo not found at {DEMO_DIR} (read in place from ../shared/data)")
    return DEMO_DIR
