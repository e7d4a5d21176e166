"""Benchmark the three paper stages (MAE -> teacher probe -> student) on synthetic marts.

    .venv/bin/python bench/bench_train.py --patience 5       # the issue's goal: 9,500 stays, early stopping
    .venv/bin/python bench/bench_train.py                    # the paper's 30 epochs per stage, no early stop
    .venv/bin/python bench/bench_train.py --stays 2000 --epochs 3 --threads 1 --device cpu
    .venv/bin/python bench/bench_train.py --precision bf16   # opt-in bfloat16 autocast (not the paper's fp32)
    .venv/bin/python bench/bench_train.py --omp-spin 0       # OpenMP threads sleep at once (OMP_WAIT_POLICY=PASSIVE)

Prints wall and CPU seconds per stage, wall and CPU ms per training step (validation included),
training throughput (samples/s = training stays x epochs run / seconds), the load average and
peak RSS. Early stopping is switched off (patience = epochs) so every stage runs its epochs,
unless --patience is given (--patience 5: the paper's setting).
Goal (issue 5): the three stages on 9,500 stays in <= 3 min on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=9500)
    parser.add_argument("--epochs", type=int, default=30, help="epochs per stage (MAE, teacher probe, student)")
    parser.add_argument("--patience", type=int, default=None,
                        help="early-stopping patience of the probe and student (default: = epochs, i.e. no early stop)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--omp-spin", type=int, default=10000,
                        help="GOMP_SPINCOUNT: how long an idle OpenMP thread spins before sleeping (~100,000 per ms); "
                             "0 = sleep at once (PASSIVE). Ignored when GOMP_SPINCOUNT is already set")
    parser.add_argument("--device", default="cpu", help="cpu | cuda | auto")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                        help="bf16: opt-in bfloat16 autocast in the encoder layers (not the paper's float32)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    # Read by OpenMP when torch loads, so before `import torch`. Sleeping at once (PASSIVE) costs a
    # wake-up per parallel op: with 2 threads a step was no faster than with 1. Spinning without
    # bound (ACTIVE) steals a shared machine's CPU. A short spin (~0.1 ms) keeps the second thread.
    os.environ.setdefault("GOMP_SPINCOUNT", str(args.omp_spin))
    import torch

    from models_py.config import load_config
    from models_py.data import load_marts
    from models_py.dataset import prepare
    from models_py.engine import resolve_device
    from models_py.stages import train_seed
    from models_py.synthetic_marts import write_marts

    load_at_start = os.getloadavg()
    patience = args.patience or args.epochs
    cfg = load_config(None, [f"mae.epochs={args.epochs}", f"teacher.epochs={args.epochs}",
                             f"student.epochs={args.epochs}", f"teacher.patience={patience}",
                             f"student.patience={patience}", f"threads={args.threads}",
                             f"device={args.device}", f"model.precision={args.precision}", *args.overrides])
    torch.set_num_threads(args.threads)
    device = resolve_device(cfg.device)
    with tempfile.TemporaryDirectory(prefix="bench_train_") as tmp:
        start = time.perf_counter()
        marts = write_marts(Path(tmp) / "marts", n_stays=args.stays, seed=0)
        data = load_marts(marts, [cfg.data.label_column], cfg.data.score_columns)
        prep = prepare(data, cfg, cfg.seed, device)
        load_seconds = time.perf_counter() - start
        result = train_seed(prep, cfg, ablations=False, progress=False)

    n_train = len(prep.rows["train"])
    print(f"stays {args.stays} (train {n_train}), device {device}, torch threads {torch.get_num_threads()}, "
          f"GOMP_SPINCOUNT {os.environ['GOMP_SPINCOUNT']}, epochs/stage {args.epochs}, patience {patience}, "
          f"batch {cfg.student.batch_size}, precision {args.precision}")
    print(f"{'stage':<20}{'seconds':>10}{'cpu s':>10}{'epochs':>8}{'s/epoch':>10}{'samples/s':>12}"
          f"{'ms/step':>10}{'cpu ms/step':>13}")
    print(f"{'write+load+prep':<20}{load_seconds:>10.1f}")
    stages = ("mae", "teacher_untrained", "teacher_probe", "full")
    for stage in stages:
        seconds, cpu = result.seconds[stage], result.cpu_seconds[stage]
        history = result.histories.get(stage)
        epochs = len(history.values["train_loss"]) if history else 0
        rate = n_train * epochs / seconds if epochs else float("nan")
        per_epoch = seconds / epochs if epochs else float("nan")
        steps = epochs * -(-n_train // cfg.student.batch_size)
        per_step, cpu_per_step = ((1000 * seconds / steps, 1000 * cpu / steps) if steps  # incl. validation
                                  else (float("nan"), float("nan")))
        print(f"{stage:<20}{seconds:>10.1f}{cpu:>10.1f}{epochs:>8}{per_epoch:>10.2f}{rate:>12.0f}"
              f"{per_step:>10.1f}{cpu_per_step:>13.1f}")
    total = sum(result.seconds[s] for s in stages)
    cpu_total = sum(result.cpu_seconds[s] for s in stages)
    print(f"{'three stages':<20}{total:>10.1f}{cpu_total:>10.1f}   (goal <= 180 s wall on 2 CPU cores)")
    for stage in ("teacher_probe", "full"):
        history = result.histories[stage]
        print(f"{stage}: best epoch {history.best_epoch + 1}, val AUROC {max(history.values['val_auroc']):.3f}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in load_at_start)}, "
          f"at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          f"(wall-clock is only meaningful on an otherwise idle machine; cpu s = this process's CPU time)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
