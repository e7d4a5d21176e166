"""Scale benchmark (issue 5): synthetic MIMIC-IV -> warehouse -> paper recipe -> SHAP, each phase timed.

    .venv/bin/python bench/bench_scale.py --scale 0.1                       # 9,446 stays (make bench)
    .venv/bin/python bench/bench_scale.py --scale 1.0 --format parquet      # MIMIC-IV v3.1 size, 94,458 stays
    .venv/bin/python bench/bench_scale.py --mimic-iv-dir ../shared/data/mimic-iv-demo-2.2   # real data, no synth
    .venv/bin/python bench/bench_scale.py --scale 0.002 --phases synth,warehouse --set mae.epochs=1

Phases (`--phases`, any subset, in this order):
  synth      pipelines/synthesize.py --profile realistic, round(94,458 x scale) ICU stays
  warehouse  dbt build (models, seeds, data tests), as `make warehouse`, cold: staging/ and the
             warehouse removed first, so every raw file is converted again
  rebuild    the same build again: the staged raw tables are reused (docs/warehouse.md, Staging)
  train      pipelines/train.py: MAE -> teacher probe -> student (KD), no ablations, no SHAP
  shap       bench/bench_shap.py: shap_static on the paper-sized student (config's 500 stays, background 100)

Each phase runs in its own child process; its peak RSS is that child tree's largest process
(os.wait4's rusage), its CPU time the tree's user + system seconds. Per dbt model group (staging /
intermediate / marts / seeds / tests) the figures come from dbt's run_results.json. Everything is
printed and saved as JSON to --out (default $VISTREND_DATA_DIR/bench/<timestamp>.json); the work
files (raw/, warehouse.duckdb, marts/, runs/) go to --work-dir (default
$VISTREND_DATA_DIR/bench/scale_<scale>/, or .../mimic_iv/ with --mimic-iv-dir) and are kept.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# bench/ is on sys.path when this runs as a script, so its sibling imports directly
from bench_warehouse import BIG_TABLES, DBT, DBT_PROJECT  # same dbt invocation and row tables

REPO = Path(__file__).resolve().parents[1]

V31_STAYS = 94_458  # MIMIC-IV v3.1 icustays: scale 1.0
PHASES = ("synth", "warehouse", "rebuild", "train", "shap")
DBT_GROUPS = ("staging", "intermediate", "marts")
PACKAGES = ("torch", "numpy", "polars", "pyarrow", "scikit-learn", "shap", "duckdb", "dbt-core", "dbt-duckdb")
TARGETS = {
    "warehouse_at_scale_1": "dbt build of 94,458 stays / ~433 M chartevents in < 20 min wall and < 12 GB peak RSS "
                            "on 2 cores (issue 5)",
    "train_9500_stays": "MAE (30 epochs) + teacher probe + student on 9,500 stays in <= 3 min on 2 CPU cores (issue 4)",
}


class PhaseError(RuntimeError):
    pass


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE", "0.1")),
                        help="fraction of MIMIC-IV v3.1's 94,458 ICU stays to synthesize (default $SCALE or 0.1)")
    parser.add_argument("--phases", default=",".join(PHASES),
                        help=f"comma-separated subset of {','.join(PHASES)} (default all)")
    parser.add_argument("--mimic-iv-dir", type=Path, default=None,
                        help="existing raw MIMIC-IV layout (hosp/, icu/): skips the synth phase")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="raw/, warehouse.duckdb, marts/, runs/ (default $VISTREND_DATA_DIR/bench/scale_<scale>)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON result file (default $VISTREND_DATA_DIR/bench/<timestamp>.json)")
    parser.add_argument("--format", default="csv.gz", choices=["csv.gz", "parquet"], help="synthetic file format")
    parser.add_argument("--seed", type=int, default=42, help="generator seed")
    parser.add_argument("--threads", default=os.environ.get("VISTREND_DBT_THREADS", "2"), help="dbt threads")
    parser.add_argument("--memory-limit", default=os.environ.get("VISTREND_MEMORY_LIMIT", "4GB"),
                        help="DuckDB memory_limit")
    parser.add_argument("--no-dbt-tests", action="store_true",
                        help="warehouse phase: seeds and models only (make warehouse also runs the data tests)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="train config override passed to pipelines/train.py (repeatable)")
    parser.add_argument("--shap-stays", type=int, default=None, help="SHAP stays (default the config's 500)")
    parser.add_argument("--shap-background", type=int, default=None, help="SHAP background (default 100)")
    args = parser.parse_args(argv)
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = [p for p in args.phases if p not in PHASES]
    if unknown:
        parser.error(f"--phases: unknown phase(s) {','.join(unknown)}; expected a subset of {','.join(PHASES)}")
    if args.mimic_iv_dir is not None and "synth" in args.phases:
        args.phases.remove("synth")  # a given source replaces generation
    if args.mimic_iv_dir is None and not 0 < args.scale <= 10:
        parser.error(f"--scale: expected a number in (0, 10], got {args.scale}")
    return args


def run_phase(name: str, command: list[str], env: dict, cwd: Path, log: Path) -> dict:
    """Run one phase's child process; wall, CPU and peak RSS of that child tree only."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"[{name}] {' '.join(command)}", flush=True)
    start = time.perf_counter()
    with open(log, "w") as log_file:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        # wait4: this child's rusage (and its waited-for descendants'), not every child's so far
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise PhaseError(f"{name}: {command[0]} exited {proc.returncode} (log {log}):\n{tail}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1), "log": str(log)}


def dbt_groups(target: Path) -> dict:
    """Per model group (from each node's folder): count, summed execution seconds, rows, rows/s."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    groups: dict[str, dict] = {}
    for r in results:
        uid = r["unique_id"]
        kind = uid.split(".", 1)[0]
        if kind == "model":
            fqn = nodes.get(uid, {}).get("fqn", [])
            group = next((part for part in fqn if part in DBT_GROUPS), "other_models")
        else:
            group = {"seed": "seeds", "test": "tests", "unit_test": "tests", "operation": "hooks"}.get(kind, kind)
        g = groups.setdefault(group, {"nodes": 0, "execution_s": 0.0, "rows": 0, "relations": []})
        g["nodes"] += 1
        g["execution_s"] += r.get("execution_time") or 0.0
        if kind in ("model", "seed"):
            g["relations"].append(uid.split(".")[-1])
    return groups


def count_rows(warehouse: Path, groups: dict) -> tuple[dict, dict]:
    """Rows of every table in each group (views and external marts counted as queried), big-table rows."""
    import duckdb
    con = duckdb.connect(str(warehouse), read_only=True)
    names = {row[0] for row in con.sql("select table_name from information_schema.tables").fetchall()}
    for g in groups.values():
        relations = [t for t in g.pop("relations") if t in names]
        g["execution_s"] = round(g["execution_s"], 3)
        # rows built by the group (tests and hooks build none: no rate)
        g["rows"] = sum(con.sql(f'select count(*) from "{t}"').fetchone()[0] for t in relations) if relations else None
        g["rows_per_s"] = round(g["rows"] / g["execution_s"], 1) if g["rows"] and g["execution_s"] > 0 else None
    big = {t: con.sql(f"select count(*) from {t}").fetchone()[0] for t in BIG_TABLES if t in names}
    cohort = {"icu_stays": con.sql("select count(*) from stg_mimic__icustays").fetchone()[0] if
              "stg_mimic__icustays" in names else None,
              "cohort_stays": con.sql("select count(*) from cohort").fetchone()[0] if "cohort" in names else None}
    con.close()
    return big, cohort


def machine_facts() -> dict:
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = round(int(line.split()[1]) / 1024**2, 2)
    except OSError:
        pass
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"hostname": platform.node(), "platform": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)), "memory_gib": mem_total,
            "packages": versions}


def write_json_atomic(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w") as f:
        json.dump(payload, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data")).resolve()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = (args.out or data_dir / "bench" / f"{stamp}.json").resolve()
    if args.mimic_iv_dir is not None:
        raw = args.mimic_iv_dir.resolve()
        if not (raw / "icu").is_dir() or not (raw / "hosp").is_dir():
            print(f"error: --mimic-iv-dir {raw} has no hosp/ and icu/ folders (expected a MIMIC-IV layout)",
                  file=sys.stderr)
            return 2
        work = (args.work_dir or data_dir / "bench" / "mimic_iv").resolve()
        stays = None
    else:
        work = (args.work_dir or data_dir / "bench" / f"scale_{args.scale:g}").resolve()
        raw = work / "raw"
        stays = max(1, round(V31_STAYS * args.scale))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_PROFILES_DIR=str(DBT_PROJECT),
               MIMIC_IV_DIR=str(raw), VISTREND_DATA_DIR=str(work), DBT_TARGET_PATH=str(work / "dbt_target"),
               DBT_LOG_PATH=str(work / "dbt_logs"), VISTREND_DBT_THREADS=str(args.threads),
               VISTREND_MEMORY_LIMIT=args.memory_limit)
    python = sys.executable
    logs = work / "logs"

    result: dict = {"started_utc": stamp, "scale": None if stays is None else args.scale, "stays_requested": stays,
                    "source": str(raw), "synthetic": stays is not None, "work_dir": str(work),
                    "phases_run": args.phases, "train_overrides": args.overrides,
                    "dbt": {"threads": args.threads, "memory_limit": args.memory_limit},
                    "machine": machine_facts(), "load_avg_start": list(os.getloadavg()), "targets": TARGETS,
                    "phases": {}}
    phases = result["phases"]
    try:
        if "synth" in args.phases:
            # the generator writes atomically and refuses nothing: start from an empty raw/
            shutil.rmtree(raw, ignore_errors=True)
            p = run_phase("synth", [python, str(REPO / "pipelines" / "synthesize.py"), "--out", str(raw),
                                    "--stays", str(stays), "--seed", str(args.seed), "--profile", "realistic",
                                    "--format", args.format, "--quiet"], env, REPO, logs / "synth.log")
            rows = json.loads((raw / "SYNTHETIC.json").read_text())["rows"]
            p.update(rows=sum(rows.values()), rows_by_table=rows, format=args.format,
                     rows_per_s=round(sum(rows.values()) / p["wall_s"], 1))
            phases["synth"] = p
        for phase in ("warehouse", "rebuild"):
            if phase in args.phases:
                p = warehouse_phase(phase, args, raw, work, env, logs)
                result.update({k: p[k] for k in ("icu_stays", "cohort_stays") if k in p})
                phases[phase] = p
        if "train" in args.phases:
            marts = work / "marts"
            if not any(marts.glob("*.parquet")):
                raise PhaseError(f"train: no Parquet marts in {marts} (run the warehouse phase first)")
            command = [python, str(REPO / "pipelines" / "train.py"), "--marts", str(marts),
                       "--out", str(work / "runs"), "--warehouse", str(work / "warehouse.duckdb"), "--no-shap"]
            for override in args.overrides:
                command += ["--set", override]
            p = run_phase("train", command, env, REPO, logs / "train.log")
            p.update(train_figures(logs / "train.log"))
            # rows = cohort stays read, trained (train split) and evaluated
            p["rows_per_s"] = round(p["stays"] / p["wall_s"], 1)
            phases["train"] = p
        if "shap" in args.phases:
            from models_py.config import Config  # noqa: PLC0415  (torch-free config import)
            cfg = Config()
            shap_stays = args.shap_stays or cfg.eval.shap_stays
            command = [python, str(REPO / "bench" / "bench_shap.py"), "--stays", str(shap_stays),
                       "--background", str(args.shap_background or cfg.eval.shap_background),
                       "--bootstrap-stays", "0"]
            p = run_phase("shap", command, env, REPO, logs / "shap.log")
            p.update(stays=shap_stays, rows_per_s=round(shap_stays / p["wall_s"], 2),
                     note="rows = stays explained; bench_shap.py: paper-sized student, random weights")
            phases["shap"] = p
    except PhaseError as exc:
        result["error"] = str(exc).splitlines()[0]
        print(f"error: {exc}", file=sys.stderr)
    result["load_avg_end"] = list(os.getloadavg())
    result["finished_utc"] = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    write_json_atomic(out, result)
    print_summary(result)
    print(f"saved {out}")
    return 1 if "error" in result else 0


def warehouse_phase(phase: str, args: argparse.Namespace, raw: Path, work: Path, env: dict,
                    logs: Path) -> dict:
    """`make warehouse`'s dbt build. warehouse: cold (staging/, warehouse.duckdb and marts/ removed
    first, so the raw files are converted again); rebuild: the same build again, staging reused."""
    if not (raw / "icu").is_dir():
        raise PhaseError(f"{phase}: {raw} has no icu/ folder (run the synth phase or give --mimic-iv-dir)")
    if phase == "warehouse":
        for path in ("staging", "marts", "duckdb_tmp"):
            shutil.rmtree(work / path, ignore_errors=True)
        for path in work.glob("warehouse.duckdb*"):
            path.unlink()
    elif not (work / "staging").is_dir():
        raise PhaseError(f"rebuild: no staged raw tables in {work / 'staging'} (run the warehouse phase first)")
    # as `make warehouse`: models, seeds and data tests; dbt unit tests run in `make test`
    command = [str(DBT), "build", "--quiet", "--exclude-resource-type", "unit_test"]
    if args.no_dbt_tests:
        command += ["--exclude-resource-type", "test"]
    p = run_phase(phase, command, env, DBT_PROJECT, logs / f"{phase}.log")
    p["dbt_tests"] = not args.no_dbt_tests
    groups = dbt_groups(work / "dbt_target")
    big, cohort = count_rows(work / "warehouse.duckdb", groups)
    p.update(input_rows=sum(big.values()), input_rows_by_table=big,
             rows_per_s=round(sum(big.values()) / p["wall_s"], 1), groups=groups, **cohort,
             warehouse_gib=round((work / "warehouse.duckdb").stat().st_size / 1024**3, 3),
             staging_gib=round(sum(f.stat().st_size for f in (work / "staging").glob("*.parquet")) / 1024**3, 3))
    return p


def train_figures(log: Path) -> dict:
    """Run directory, split sizes and per-stage seconds from the run's config.json (train.py prints the dir last)."""
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    run_dir = Path(lines[-1].strip()) if lines else None
    if run_dir is None or not (run_dir / "config.json").exists():
        raise PhaseError(f"train: no run directory with config.json at the end of {log}")
    info = json.loads((run_dir / "config.json").read_text())
    sizes = info["split_sizes"]
    cfg = info["config"]
    epochs = {stage: cfg[stage]["epochs"] for stage in ("mae", "teacher", "student")}
    return {"run_dir": str(run_dir), "split_sizes": sizes, "stays": sum(sizes.values()), "epochs_max": epochs,
            "stage_seconds": info["stage_seconds"], "stage_cpu_seconds": info["stage_cpu_seconds"],
            "total_seconds": info["total_seconds"]}


def print_summary(result: dict) -> None:
    m = result["machine"]
    print(f"source {result['source']}  stays requested {result['stays_requested']}  "
          f"icu stays {result.get('icu_stays')}  cohort {result.get('cohort_stays')}")
    print(f"machine {m['cpus']} CPUs ({m['cpus_usable']} usable), {m['memory_gib']} GiB, load average "
          f"{' '.join(f'{x:.1f}' for x in result['load_avg_start'])} at start, "
          f"{' '.join(f'{x:.1f}' for x in result['load_avg_end'])} at end")
    print(f"{'phase':<22}{'wall s':>10}{'cpu s':>10}{'peak RSS MiB':>14}{'rows':>14}{'rows/s':>14}")
    for name, p in result["phases"].items():
        rows = p.get("input_rows", p.get("rows", p.get("stays", "")))
        rate = p.get("rows_per_s")
        print(f"{name:<22}{p['wall_s']:>10.1f}{p['cpu_s']:>10.1f}{p['peak_rss_mib']:>14.0f}{rows!s:>14}"
              f"{'' if rate is None else f'{rate:.0f}':>14}")
        for group, g in p.get("groups", {}).items():
            rate = g["rows_per_s"]
            rows = "" if g["rows"] is None else g["rows"]
            print(f"  dbt {group:<18}{g['execution_s']:>10.1f}{'':>10}{'':>14}{rows:>14}"
                  f"{'' if rate is None else f'{rate:.0f}':>14}   ({g['nodes']} nodes, summed execution s)")
    if "error" in result:
        print(f"FAILED: {result['error']}")


if __name__ == "__main__":
    sys.exit(main())
