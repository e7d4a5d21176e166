"""Benchmark: SHAP of the student's mortality probability for 500 stays on a model of the paper's size.

Prints wall time, stays/s, peak RSS and the additivity gap. The model is the project's student
(models_py.models.MultitaskModel, default config: 48 x 7 series, [CLS] token, d_model 64, 2 encoder
layers, 8 heads, FFN 256, classification and regression heads) with random weights: SHAP cost
depends on the architecture, not on the training. A local copy of that architecture stands in
where models_py.models is absent.

    .venv/bin/python bench/bench_shap.py [--stays 500] [--background 100] [--threads 1] [--nsamples 64]

It also times the other per-model evaluation cost, the 1000-resample bootstrap of every binary
metric and of R^2 for four scores, at a few test-split sizes (--bootstrap-stays, 0 to skip).
"""
from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import torch
from torch import nn

from models_py.explain import N_SAMPLES, shap_static
from models_py.metrics import bootstrap_binary, bootstrap_r2


class PaperSizedStudent(nn.Module):
    """(series (B, T, C), static (B, F)) -> (cls_logits (B, 2), reg (B, 4)), sized as in the paper."""

    def __init__(self, n_channels: int = 7, n_static: int = 30, n_scores: int = 4, seq_len: int = 48,
                 d_model: int = 64, n_layers: int = 2, n_heads: int = 8, ffn: int = 256):
        super().__init__()
        self.input_proj = nn.Linear(n_channels, d_model)
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        self.pos = nn.Parameter(torch.randn(1, seq_len + 1, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, ffn, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers)
        self.cls_head = nn.Sequential(nn.Linear(d_model + n_static, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 2))
        self.reg_head = nn.Sequential(nn.Linear(d_model + n_static - n_scores, 64), nn.ReLU(), nn.Linear(64, n_scores))
        self.n_scores = n_scores

    def forward(self, series: torch.Tensor, static: torch.Tensor):
        tokens = self.input_proj(series)
        tokens = torch.cat([self.cls.expand(series.shape[0], -1, -1), tokens], dim=1) + self.pos
        cls = self.encoder(tokens)[:, 0]
        return (self.cls_head(torch.cat([cls, static], dim=1)),
                self.reg_head(torch.cat([cls, static[:, :-self.n_scores]], dim=1)))


def _student(n_static: int) -> tuple[nn.Module, str]:
    """The project's MultitaskModel with default config (the paper's sizes); the local copy if absent."""
    try:
        from models_py.config import Config
        from models_py.models import MultitaskModel, SeriesEncoder
        from models_py.tasks import default_tasks
    except ImportError:
        return PaperSizedStudent(n_static=n_static), "PaperSizedStudent (bench-local)"
    cfg = Config()
    encoder = SeriesEncoder(n_channels=7, n_steps=48, cfg=cfg.model)
    model = MultitaskModel(encoder=encoder, n_static=n_static, score_indices=list(range(n_static - 4, n_static)),
                           tasks=default_tasks(cfg, multitask=True), cfg=cfg.model)
    return model, "models_py.models.MultitaskModel (default config)"


def bench_bootstrap(sizes: list[int], n_resamples: int = 1000) -> None:
    """Seconds per model for the bootstrap CIs (continuous probabilities: every value distinct)."""
    rng = np.random.default_rng(0)
    print(f"bootstrap, {n_resamples} resamples, one model:")
    for n in sizes:
        y = (rng.random(n) < 0.2).astype(int)
        prob = 1 / (1 + np.exp(-(1.5 * y + rng.normal(size=n) - 1.5)))
        scores = rng.normal(size=(n, 4)) * [3, 12, 3, 8] + [6, 40, 5, 30]
        pred = scores + rng.normal(size=(n, 4)) * [2, 10, 2, 7]
        start = time.perf_counter()
        bootstrap_binary(y, prob, 0.3, n_resamples=n_resamples, seed=0)
        binary_s = time.perf_counter() - start
        start = time.perf_counter()
        bootstrap_r2(scores, pred, ["sofa_first_day", "sapsii", "lods", "oasis"], n_resamples=n_resamples, seed=0)
        r2_s = time.perf_counter() - start
        print(f"  {n:6d} stays: binary metrics {binary_s:6.3f} s, R^2 x4 {r2_s:6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=500)
    parser.add_argument("--background", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 = shap_static's default)")
    parser.add_argument("--nsamples", type=int, default=N_SAMPLES)
    parser.add_argument("--static", type=int, default=30, help="static feature count (one-hot expanded)")
    parser.add_argument("--bootstrap-stays", type=int, nargs="*", default=[2000, 5000],
                        help="test-split sizes for the bootstrap timing")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model, which = _student(args.static)
    rng = np.random.default_rng(0)
    n_total = args.stays + 1000  # 1000 "training" stays for the background
    series = rng.normal(size=(n_total, 48, 7)).astype(np.float32)
    static = rng.normal(size=(n_total, args.static)).astype(np.float32)
    names = [f"f{i}" for i in range(args.static)]

    start = time.perf_counter()
    result = shap_static(model, series[:args.stays], static[:args.stays], names,
                         background_size=args.background, n_explain=args.stays, seed=0,
                         background_series=series[args.stays:], background_static=static[args.stays:],
                         n_samples=args.nsamples, num_threads=args.threads)
    seconds = time.perf_counter() - start
    gap = np.abs(result.values.sum(1) + result.series_total + result.base_value - result.output)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"shap_static: {args.stays} stays x {args.static} static features, background {args.background}, "
          f"nsamples {args.nsamples}, {args.threads} threads")
    print(f"model           {which}, {sum(p.numel() for p in model.parameters())} params")
    print(f"load average    {os.getloadavg()[0]:8.2f} (1 min, {os.cpu_count()} cpus: other work slows this figure)")
    print(f"wall time       {seconds:8.2f} s")
    print(f"stays/s         {args.stays / seconds:8.1f}")
    print(f"peak RSS        {peak_rss_mib:8.0f} MiB")
    print(f"additivity gap  median {np.median(gap):.4f}, p95 {np.percentile(gap, 95):.4f} (probability units)")
    if args.bootstrap_stays and args.bootstrap_stays != [0]:
        bench_bootstrap(args.bootstrap_stays)


if __name__ == "__main__":
    main()
