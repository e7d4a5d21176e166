"""Benchmark a validation scheme (models_py.folds): every fold's training and evaluation on synthetic marts.

    .venv/bin/python bench/bench_folds.py                          # kfold:5, 5,900 stays (the synthetic default
                                                                   # cohort), paper epochs, patience 5, 2 threads
    .venv/bin/python bench/bench_folds.py --scheme group:first_careunit --ablations
    .venv/bin/python bench/bench_folds.py --stays 600 --epochs 2  # a quick check

Times run_folds alone (the base split a train.py run adds costs one more training, bench/bench_train.py)
and prints per fold its sizes, wall and CPU seconds and the full model's test AUROC, then the total,
the pooled out-of-fold AUROC, the load average and peak RSS. Figures: docs/modeling.md "Validation schemes".
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", default="kfold:5", help="kfold:K | group:COLUMN | temporal:COLUMN")
    parser.add_argument("--stays", type=int, default=5900, help="synthetic cohort stays (11,000 synthesized "
                        "stays, the synthetic default, give about 5,900)")
    parser.add_argument("--epochs", type=int, default=30, help="epochs per stage (MAE, teacher probe, student)")
    parser.add_argument("--patience", type=int, default=5, help="early-stopping patience of probe and student")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu | cuda | auto")
    parser.add_argument("--ablations", action="store_true", help="every model in every fold (as train.py --ablations)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")  # as pipelines/cli.py: before torch loads
    import torch

    from models_py.config import load_config
    from models_py.data import load_marts
    from models_py.engine import resolve_device
    from models_py.folds import fold_column, run_folds
    from models_py.synthetic_marts import write_marts

    cfg = load_config(None, [f"mae.epochs={args.epochs}", f"teacher.epochs={args.epochs}",
                             f"student.epochs={args.epochs}", f"teacher.patience={args.patience}",
                             f"student.patience={args.patience}", f"threads={args.threads}",
                             f"device={args.device}", f"split.validation={args.scheme}", *args.overrides])
    cfg = cfg.with_run(ablations=args.ablations)
    torch.set_num_threads(args.threads)
    device = resolve_device(cfg.device)
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_folds_") as tmp:
        marts = write_marts(Path(tmp) / "marts", n_stays=args.stays, seed=0)
        data = load_marts(marts, [cfg.data.label_column], cfg.data.score_columns, fold_column=fold_column(cfg))
        start, cpu_start = time.perf_counter(), time.process_time()
        folds = run_folds(data, cfg, device, progress=False)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start

    print(f"scheme {folds['scheme']}: {args.stays} stays, device {device}, torch threads {torch.get_num_threads()}, "
          f"epochs/stage {args.epochs}, patience {args.patience}, ablations {args.ablations}")
    print(f"{'fold':<28}{'train':>7}{'val':>6}{'test':>6}{'seconds':>10}{'cpu s':>9}{'full AUROC':>12}")
    for name, models in folds["folds"].items():
        size = folds["sizes"][name]
        print(f"{name:<28}{size['train']:>7}{size['val']:>6}{size['test']:>6}{folds['seconds'][name]:>10.1f}"
              f"{folds['cpu_seconds'][name]:>9.1f}"
              f"{models['full']['auroc']['value']:>12.3f}")
    for skipped in folds["skipped"]:
        print(f"{skipped['fold']:<28}skipped: {skipped['reason']}")
    pooled = folds["pooled"].get("full", {}).get("auroc", {})
    summary = folds["summary"].get("full", {}).get("auroc", {})
    print(f"total {wall:.1f} s wall, {cpu:.1f} s CPU; full AUROC {summary.get('mean', float('nan')):.3f} ± "
          f"{summary.get('sd', float('nan')):.3f} over folds, pooled {pooled.get('value', float('nan')):.3f} "
          f"({pooled.get('ci_low', float('nan')):.3f}-{pooled.get('ci_high', float('nan')):.3f})")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in load_at_start)}, "
          f"at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
