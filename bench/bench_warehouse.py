"""Benchmark the warehouse build: `dbt build` in a subprocess, timed.

Prints wall time, CPU time (user + system of the dbt process tree), peak RSS (largest process of the
tree, from getrusage(RUSAGE_CHILDREN)), input rows/s (chartevents + labevents + inputevents staged)
and the slowest models from dbt's run_results.json.

    .venv/bin/python bench/bench_warehouse.py --mimic-iv-dir ../shared/data/mimic-iv-demo-2.2
    .venv/bin/python bench/bench_warehouse.py --mimic-iv-dir data/raw/synthetic --no-tests

The build is `make warehouse`'s (`dbt build --exclude-resource-type unit_test`). Run it twice with the
same --data-dir to time a cold build (raw csv.gz converted to staging Parquet) and then a warm one
(staging reused).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"
BIG_TABLES = ("stg_mimic__chartevents", "stg_mimic__labevents", "stg_mimic__inputevents")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mimic-iv-dir", type=Path,
                        default=Path(os.environ.get("MIMIC_IV_DIR", REPO / "data" / "raw" / "synthetic")),
                        help="raw MIMIC-IV layout (hosp/, icu/); default $MIMIC_IV_DIR or data/raw/synthetic")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="output dir (warehouse.duckdb, marts/); default a fresh temporary dir")
    parser.add_argument("--no-tests", action="store_true",
                        help="build seeds and models only (skip data tests too)")
    parser.add_argument("--threads", default=os.environ.get("VISTREND_DBT_THREADS", "2"), help="dbt threads")
    parser.add_argument("--memory-limit", default=os.environ.get("VISTREND_MEMORY_LIMIT", "4GB"),
                        help="DuckDB memory_limit")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest models to print")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    mimic_iv_dir = args.mimic_iv_dir.resolve()
    if not (mimic_iv_dir / "icu").is_dir():
        print(f"error: {mimic_iv_dir} has no icu/ folder (expected a MIMIC-IV layout)", file=sys.stderr)
        return 2
    data_dir = (args.data_dir or Path(tempfile.mkdtemp(prefix="bench_warehouse_"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "dbt_target"
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_PROFILES_DIR=str(DBT_PROJECT),
               MIMIC_IV_DIR=str(mimic_iv_dir), VISTREND_DATA_DIR=str(data_dir),
               DBT_TARGET_PATH=str(target), DBT_LOG_PATH=str(data_dir / "dbt_logs"),
               VISTREND_DBT_THREADS=str(args.threads), VISTREND_MEMORY_LIMIT=args.memory_limit)

    load_start = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # as `make warehouse`: models, seeds and data tests; dbt unit tests run in `make test`
    command = [str(DBT), "build", "--quiet", "--exclude-resource-type", "unit_test"]
    if args.no_tests:
        command += ["--exclude-resource-type", "test"]
    proc = subprocess.run(command, cwd=DBT_PROJECT, env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n", file=sys.stderr)
        print(f"error: dbt build failed ({proc.returncode})", file=sys.stderr)
        return proc.returncode

    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_rss_gib = after.ru_maxrss / 1024 / 1024  # ru_maxrss is KiB on Linux
    results = json.loads((target / "run_results.json").read_text())["results"]
    timings = sorted(((r["execution_time"], r["unique_id"].split(".", 2)[-1]) for r in results
                      if r["unique_id"].startswith("model.")), reverse=True)

    import duckdb  # after the build: the warehouse file is free again
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    rows = {t: con.sql(f"select count(*) from {t}").fetchone()[0] for t in BIG_TABLES}
    n_stays = con.sql("select count(*) from stg_mimic__icustays").fetchone()[0]
    n_cohort = con.sql("select count(*) from cohort").fetchone()[0]
    db_gib = (data_dir / "warehouse.duckdb").stat().st_size / 1024**3

    print(f"source            {mimic_iv_dir}")
    print(f"dbt build         threads={args.threads} memory_limit={args.memory_limit}"
          f"{' (no tests)' if args.no_tests else ''}")
    print(f"wall time         {wall:10.1f} s")
    print(f"cpu time          {cpu:10.1f} s  (user + system, dbt process tree)")
    print(f"peak RSS          {peak_rss_gib:10.2f} GiB (largest process of the tree)")
    print(f"icu stays         {n_stays:10d}   cohort {n_cohort}")
    for table, n in rows.items():
        print(f"{table:<24} {n:12d} rows")
    total = sum(rows.values())
    print(f"staged rows/s     {total / wall:10.0f}   (staged chartevents + labevents + inputevents / wall)")
    print(f"load average      {load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end (1 min)")
    print(f"warehouse.duckdb  {db_gib:10.2f} GiB   marts: {data_dir / 'marts'}")
    print(f"slowest models (of {len(timings)}):")
    for seconds, name in timings[: args.top]:
        print(f"  {seconds:8.2f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
