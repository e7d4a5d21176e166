"""Score stays with a saved run: any model it saved, with the run's own fitted preprocessing.

    python pipelines/predict.py --run data/runs/latest --output preds.csv [--marts DIR] [--model NAME]
    python pipelines/predict.py --run data/physionet2012/runs/latest --input set-c.tar.gz --output preds.parquet

Every file of the run is checked against its manifest.json first (a changed, truncated or swapped
checkpoint is refused, naming it); checkpoints are safetensors, so loading one runs no code.

--model: any model of the run (an unknown name lists them); default: the one the run chose on its
validation split (best validation AUROC; named on stderr). --output: .csv or .parquet (by extension).
Columns: stay_id (record_id for PhysioNet 2012), model, run_id, probability, threshold (the model's
Youden threshold from the validation split), predicted_label (probability >= threshold).

With --marts (default: the marts the run was trained on, from its config.json): every stay of the
marts. cohort.parquet is optional (new stays need no labels); the series mart, static_features and
severity_scores are required.

With --input (PhysioNet 2012 records, no outcomes needed: a set-X.tar.gz or a folder of
<RecordID>.txt files): ingests them into a temporary folder, builds the PhysioNet 2012 marts there
with dbt (var p12_scoring: records without Outcomes are kept) and scores them. Lines and files that
cannot be read are skipped and counted (stderr; --strict stops instead); records without any
time-series line are listed on stderr. The temporary folder is removed afterwards.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from pipelines import cli

REPO = Path(__file__).resolve().parents[1]

cli.prefer_short_openmp_spin()  # before torch is imported

import polars as pl  # noqa: E402

from models_py import predict  # noqa: E402
from physionet2012 import P12FormatError, ingest_records  # noqa: E402

PROG = "predict"


def log(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _dbt_failure(stdout: str, work: Path, user_input: Path) -> str:
    """The first failing node of a dbt log, with the temporary folder's path replaced by the user's input."""
    for line in stdout.splitlines():
        if re.search(r"\b(Failure|Error) in ", line):
            text = re.sub(r"^\S*\d\d:\d\d:\d\d\S*\s+", "", line.strip())  # dbt's timestamp
            return text.replace(str(work), str(user_input))
    return "see `dbt build --vars '{source: physionet2012}'` on the ingested records"


def build_p12_marts(raw_input: Path, work: Path, strict: bool) -> Path:
    """Ingest PhysioNet 2012 records (archive or folder) into `work`, build their marts; return the marts folder."""
    data_dir = work / "data"
    result = ingest_records(raw_input, data_dir / "raw" / "physionet2012", strict=strict)
    log(f"ingested {result.n_records} records ({result.n_observations} observations) from {raw_input}"
        + (f"; {result.skipped_summary()}" if result.skipped else ""))
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_PROFILES_DIR=str(REPO / "dbt_project"),
               VISTREND_DATA_DIR=str(data_dir), P12_RAW_DIR=str(data_dir / "raw" / "physionet2012"),
               DBT_TARGET_PATH=str(work / "dbt_target"), DBT_LOG_PATH=str(work / "dbt_logs"))
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "build", "--vars", "{source: physionet2012, p12_scoring: true}"],
        cwd=REPO / "dbt_project", env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise predict.PredictError(f"{raw_input}: building the PhysioNet 2012 marts failed (dbt exit "
                                   f"{proc.returncode}): {_dbt_failure(proc.stdout, work, raw_input)}")
    marts = data_dir / "marts"
    quality = pl.read_parquet(marts / "data_quality.parquet").filter(pl.col("n_rows") > 0).sort("rule")
    if quality.height:
        log("data_quality: " + ", ".join(f"{r['rule']} {r['n_rows']} ({r['n_stays']} records)"
                                         for r in quality.iter_rows(named=True)))
    return marts


def score_raw_records(run: predict.SavedRun, model: str, raw_input: Path, strict: bool,
                      raw: bool = False) -> pl.DataFrame:
    with tempfile.TemporaryDirectory(prefix="vistrend-predict-") as tmp:
        work = Path(tmp)
        try:
            marts = build_p12_marts(raw_input, work, strict)
            frame = predict.predictions(run, predict.load_data(run, marts), model, raw)
        except ValueError as exc:  # name the user's input, not the temporary marts
            message = str(exc).replace(str(work / "data" / "marts"), f"{raw_input} (its marts)")
            raise predict.PredictError(message) from None
        except OSError as exc:
            if exc.errno is None or not str(exc.filename or "").startswith(str(work)):
                raise
            where = f"{tempfile.gettempdir()} (temporary marts of {raw_input})"
            raise OSError(exc.errno, exc.strerror, where) from None
        records = pl.read_parquet(work / "data" / "raw" / "physionet2012" / "records.parquet")
    key = frame.columns[0]
    unscored = sorted(set(records["record_id"].to_list()) - set(frame[key].to_list()))
    if unscored:
        log(f"{len(unscored)} record(s) not scored (no time-series line), e.g. {unscored[:5]}")
    return frame


def main(argv: list[str] | None = None) -> int:
    """Exit code 0, or 2 with one error line on stderr."""
    return cli.run(_main, argv, prog=PROG, expected=(ValueError, P12FormatError))


def _main(argv: list[str] | None) -> int:
    parser = cli.OneLineParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a run directory (e.g. data/runs/latest)")
    parser.add_argument("--output", type=Path, required=True, help="file to write: .csv or .parquet")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--marts", type=Path, help="folder of the Parquet marts to score (default: the run's marts)")
    source.add_argument("--input", type=Path, help="raw PhysioNet 2012 records: set-X.tar.gz or a folder")
    parser.add_argument("--model", help="a model of the run (default: the run's choice on the validation split)")
    parser.add_argument("--raw", action="store_true",
                        help="the model's own probability (default: recalibrated on the run's validation split)")
    parser.add_argument("--strict", action="store_true",
                        help="--input: stop at the first line or file that cannot be read (default: skip and count)")
    args = parser.parse_args(argv)

    predict.check_output(args.output)  # before any work
    run = predict.open_run(args.run)
    model = predict.resolve_model(run, args.model)
    if args.model is None:
        auroc = run.info["selection"]["validation_auroc"].get(model)
        log(f"model {model}: the run's choice on the validation split (AUROC {auroc:.3f}); --model picks another")
    notes: list[str] = []
    if args.input:
        frame = score_raw_records(run, model, args.input, args.strict, args.raw)
    else:
        frame = predict.predictions(run, predict.load_data(run, args.marts or run.marts_dir, notes), model, args.raw)
    predict.write_output(frame, args.output)
    for note in notes:
        log(note)
    if run.recalibration.get(model) and not args.raw:  # said once the scoring worked (errors stay one line)
        log(f"probabilities recalibrated ({run.recalibration[model].method}, fitted on the run's validation "
            "split); --raw gives the model's own")
    print(f"{frame.height} stays scored with {model} -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
