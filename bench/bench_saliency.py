"""Benchmark: integrated-gradients saliency over the 48 hours for 1,000 stays on a paper-sized student.

Prints wall time, CPU time (the machine may be shared), stays/s, the steps the stays needed and the
completeness error (max and 99th percentile, relative to |output - baseline_output|). The model is
the project's MultitaskModel at the default sizes (48 x 7 series, d_model 64, 2 layers, 8 heads,
FFN 256, mortality + severity heads), trained for a few epochs (not timed) on synthetic series whose
label follows one channel's trend over the 48 hours (as in models_py/synthetic_marts.py): the steps
completeness needs depend on how
the trained function bends, so a random-weight model would not be representative.

    .venv/bin/python bench/bench_saliency.py [--stays 1000] [--threads 2] [--steps 16] [--batch 64]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from models_py.config import ModelConfig
from models_py.models import MultitaskModel, SeriesEncoder
from models_py.saliency import channel_baseline, integrated_gradients
from models_py.tasks import Task

SCORES = ("sofa_first_day", "sapsii", "lods", "oasis")


def paper_student(n_channels: int, n_static: int, seed: int = 0) -> MultitaskModel:
    torch.manual_seed(seed)
    cfg = ModelConfig()
    tasks = [Task("icu_mortality", "binary", ("icu_mortality",), 1.0), Task("severity", "regression", SCORES, 0.1)]
    encoder = SeriesEncoder(n_channels=n_channels, n_steps=48, cfg=cfg)
    model = MultitaskModel(encoder=encoder, n_static=n_static, score_indices=list(range(n_static - 4, n_static)),
                           tasks=tasks, cfg=cfg)
    return model


def synthetic(n: int, n_channels: int, n_static: int, seed: int):
    """Series (n, 48, C), static (n, F), label: death follows channel 3's trend and static[:, 0]."""
    rng = np.random.default_rng(seed)
    trend = rng.normal(size=n)
    series = rng.normal(size=(n, 48, n_channels)).astype(np.float32) * 0.5
    series[:, :, 3] += (trend[:, None] * np.linspace(-1, 1, 48)[None, :]).astype(np.float32)
    static = rng.normal(size=(n, n_static)).astype(np.float32)
    risk = 1 / (1 + np.exp(-(-1.0 + 1.5 * trend + 0.5 * static[:, 0])))
    return series, static, (rng.uniform(size=n) < risk).astype(np.float64)


def train(model: MultitaskModel, series, static, label, epochs: int) -> None:
    from models_py.engine import SplitTensors, StageSettings, fit_supervised
    from models_py.tasks import classification_targets

    def split(rows):
        return SplitTensors(series=torch.from_numpy(series[rows]), static=torch.from_numpy(static[rows]),
                            targets={"icu_mortality": classification_targets(label[rows])}, label=label[rows],
                            stay_ids=rows)
    n = len(label)
    tasks = [t for t in model.tasks if t.kind != "regression"]
    fit_supervised(model, split(np.arange(int(0.8 * n))), split(np.arange(int(0.8 * n), n)), tasks,
                   StageSettings(epochs=epochs, lr=1e-3, weight_decay=1e-4, batch_size=64, patience=epochs),
                   {"icu_mortality": torch.ones(2)}, seed=0, progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=16, help="initial Gauss-Legendre steps per stay")
    parser.add_argument("--batch", type=int, default=64, help="series per forward pass / 16")
    parser.add_argument("--train-stays", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=5, help="training epochs before the timed saliency")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    n_channels, n_static = 7, 30
    train_series, train_static, train_label = synthetic(args.train_stays, n_channels, n_static, seed=0)
    model = paper_student(n_channels, n_static)
    start = time.perf_counter()
    train(model, train_series, train_static, train_label, args.epochs)
    print(f"trained a paper-sized student for {args.epochs} epochs on {args.train_stays} stays "
          f"({time.perf_counter() - start:.0f} s, not part of the figure)")
    series, static, _ = synthetic(args.stays, n_channels, n_static, seed=1)
    baseline = channel_baseline(train_series)
    start, cpu = time.perf_counter(), time.process_time()
    result = integrated_gradients(model, series, static, np.arange(args.stays), [f"c{i}" for i in range(n_channels)],
                                  baseline, n_steps=args.steps, batch_size=args.batch)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    steps, counts = np.unique(result.n_steps, return_counts=True)
    print(f"saliency: {args.stays} stays in {wall:.1f} s ({args.stays / wall:.0f} stays/s), "
          f"{cpu:.1f} s CPU, threads={args.threads} (limit: 60 s on 2 cores)")
    print(f"  steps needed: {dict(zip(steps.tolist(), counts.tolist()))}")
    print(f"  completeness error: max {result.completeness_error.max():.2e}, "
          f"p99 {np.percentile(result.completeness_error, 99):.2e}; output sd {result.output.std():.2f}")


if __name__ == "__main__":
    main()
