"""Score stays with a saved run: the run's own fitted preprocessing and its student checkpoint.

    python pipelines/predict.py --run data/runs/latest --output preds.csv [--marts DIR] [--model full]
    python pipelines/predict.py --run data/physionet2012/runs/latest --input set-c.tar.gz --output preds.csv

With --marts (default $VISTREND_DATA_DIR/marts): writes stay_id, probability for every stay of the
marts. cohort.parquet is optional here (new stays need no labels); the series mart, static_features
and severity_scores are required.

With --input (PhysioNet 2012 records, no outcomes needed: a set-X.tar.gz, a set-X/ folder or any
folder of <RecordID>.txt files): ingests them into a temporary folder, builds the PhysioNet 2012
marts there with dbt (var p12_scoring: records without Outcomes are kept), scores them and writes
RecordID, probability. Records without any time-series line (descriptors only) are not in the marts
and are listed on stderr. The temporary folder is removed afterwards.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# OpenMP idle threads spin ~0.1 ms (GOMP_SPINCOUNT 10000), then sleep: on 2 idle cores the second
# torch thread then halves a training step (sleeping at once, PASSIVE, made it useless; the default
# long spin made steps 7-10x slower when another process held a core). On a busy machine set
# OMP_WAIT_POLICY=PASSIVE (docs/modeling.md, Speed). Must precede `import torch`.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")
sys.path.insert(0, str(REPO))

from models_py.data import MartError  # noqa: E402
from models_py.run import score_stays  # noqa: E402
from physionet2012 import P12FormatError, ingest  # noqa: E402


def build_p12_marts(raw_input: Path, work: Path) -> Path:
    """Ingest PhysioNet 2012 records (archive or folder) into `work` and build its marts; return the marts folder."""
    raw_input = raw_input.resolve()
    if not raw_input.exists():
        raise FileNotFoundError(f"{raw_input}: not found (expected set-X.tar.gz or a folder of <RecordID>.txt files)")
    staged = work / "input"
    staged.mkdir(parents=True)
    if raw_input.is_file():
        if not raw_input.name.endswith(".tar.gz"):
            raise FileNotFoundError(f"{raw_input}: expected a .tar.gz archive of <RecordID>.txt files")
        (staged / "set-input.tar.gz").symlink_to(raw_input)
    else:
        (staged / "set-input").symlink_to(raw_input, target_is_directory=True)
    data_dir = work / "data"
    result = ingest(staged, data_dir / "raw" / "physionet2012", ["input"])
    print(f"ingested {result.n_records} records ({result.n_observations} observations)", file=sys.stderr)
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_PROFILES_DIR=str(REPO / "dbt_project"),
               VISTREND_DATA_DIR=str(data_dir), DBT_TARGET_PATH=str(work / "dbt_target"),
               DBT_LOG_PATH=str(work / "dbt_logs"))
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "build", "--vars", "{source: physionet2012, p12_scoring: true}"],
        cwd=REPO / "dbt_project", env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt build of the PhysioNet 2012 marts failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    return data_dir / "marts"


def main(argv: list[str] | None = None) -> int:
    data_dir = Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run directory (e.g. data/runs/latest)")
    parser.add_argument("--output", type=Path, required=True, help="CSV to write")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--marts", type=Path, default=data_dir / "marts", help="folder of the Parquet marts to score")
    source.add_argument("--input", type=Path, help="raw PhysioNet 2012 records: set-X.tar.gz or a folder")
    parser.add_argument("--model", default="full", help="checkpoint to use (default: the student, full)")
    args = parser.parse_args(argv)

    checkpoint = args.run / "checkpoints" / f"{args.model}.pt"
    for needed in (args.run / "config.json", args.run / "checkpoints" / "preprocess.json", checkpoint):
        if not needed.exists():
            print(f"error: {needed} not found (expected a complete run directory from pipelines/train.py)",
                  file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="vistrend-predict-")) if args.input else None
    try:
        marts = build_p12_marts(args.input, work) if args.input else args.marts
        scores = score_stays(args.run, marts, args.model)
        if args.input:
            import polars as pl
            records = pl.read_parquet(work / "data" / "raw" / "physionet2012" / "records.parquet")
            unscored = sorted(set(records["record_id"].to_list()) - set(scores["stay_id"].to_list()))
            if unscored:
                print(f"{len(unscored)} record(s) not scored (no time-series line), e.g. {unscored[:5]}",
                      file=sys.stderr)
            scores = scores.rename({"stay_id": "RecordID"})
    except (MartError, ValueError, FileNotFoundError, P12FormatError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=args.output.parent, prefix=f".{args.output.name}.")
    os.close(fd)
    scores.write_csv(tmp, float_precision=10)
    os.replace(tmp, args.output)
    print(f"{scores.height} stays scored -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
