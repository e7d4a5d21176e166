"""One experiment run, the recipe: marts -> per seed (split, preprocess, stages, evaluate) -> run dir.

Everything a run reads is in its Config (cfg.run: marts, out, warehouse, ablations, seeds, shap);
the run's config.json holds it under "config", so `pipelines/train.py --config runs/<id>/config.json`
reruns it. The run directory is described in models_py.rundir.
"""
from __future__ import annotations

import os
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import torch

from . import checkpoints, explain, folds, metrics, plots, report, run_assessment, saliency, warehouse_io
from .baselines import ENSEMBLES
from .config import Config
from .data import MartData, load_marts, resolve_targets
from .dataset import Prepared, prepare
from .engine import resolve_device
from .evaluate import (
    SELECTION_RULE,
    THRESHOLD_RULE,
    auroc_vs_reference,
    evaluate,
    evaluate_recalibrated,
    recalibrate,
    select_model,
)
from .leak import apply_policy
from .leak_check import run_leak_check
from .rundir import (
    assembling,
    combined_fingerprint,
    package_versions,
    predictions_frame,
    save_checkpoints,
    save_recalibration,
    write_json,
)
from .stages import SeedResult, log, train_seed


def run_experiment(cfg: Config, progress: bool = True) -> Path:
    """Train and evaluate everything cfg asks for, write the run directory, return its final path."""
    started = time.perf_counter()
    cfg = _resolved(cfg)
    torch.set_num_threads(max(1, cfg.threads))
    device = resolve_device(cfg.device)
    raw = load_marts(cfg.run.marts, [cfg.data.label_column, *cfg.tasks.auxiliary_labels], cfg.data.score_columns,
                     cfg.data.hours, use_metadata=cfg.data.use_metadata, group_column=cfg.split.holdout_column,
                     fold_column=folds.fold_column(cfg))
    data, policy_note = apply_policy(raw, cfg.data.leak_policy)
    log(policy_note)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    seeds = list(range(cfg.seed, cfg.seed + cfg.run.seeds))
    log(f"run {run_id}: {len(data)} stays, {len(data.channels)} channels, device {device}, seeds {seeds}")

    with assembling(cfg.run.out, run_id) as tmp:
        seeds_run = train_seeds(data, cfg, seeds, device, progress)
        prep, result, per_seed, seconds = seeds_run.prep, seeds_run.result, seeds_run.metrics, seeds_run.seconds
        # a validation scheme other than `split`: its folds, beside the base split (models_py.folds)
        fold_run = folds.run_folds(data, cfg, device, progress) if cfg.split.validation != "split" else {}
        folds.with_folds(seeds_run.predictions, fold_run.pop("predictions", None)).write_parquet(
            tmp / "predictions.parquet")
        saved = save_checkpoints(tmp / "checkpoints", result, prep, cfg)
        recalibration_file = save_recalibration(tmp, result)
        models = per_seed[str(cfg.seed)]
        selected = select_model(models)
        log(f"selected on the validation split: {selected} (AUROC {models[selected]['val_auroc']:.3f})")
        metrics_json = {"models": models, "threshold_rule": THRESHOLD_RULE, "per_seed": per_seed,
                        "summary": metrics.summarize_over_seeds(per_seed) if len(seeds) > 1 else {},
                        "auroc_vs_full": auroc_vs_reference(result, prep, cfg),
                        "recalibrated": evaluate_recalibrated(result, prep, cfg, result.recalibrators),
                        "recalibration": cfg.eval.recalibration,
                        **({"folds": fold_run} if fold_run else {})}
        metrics_json["leak_check"] = run_leak_check(raw, data, prep, result, models.get("full", {}).get("auroc"),
                                                    cfg, device, progress)
        metrics_json.update(run_assessment.assess(tmp, data, prep, result, models, cfg))
        write_json(tmp / "metrics.json", metrics_json)
        write_json(tmp / "histories.json", {name: {**h.values, "best_epoch": h.best_epoch}
                                            for name, h in result.histories.items()})
        _plot(tmp, result, prep)
        shap_top = _explain(tmp, result, prep, cfg, seconds[str(cfg.seed)]) if cfg.run.shap else []
        if cfg.eval.saliency_stays and "full" in result.networks:
            _saliency(tmp, result, prep, cfg, data, seconds[str(cfg.seed)])
        run_info = {"run_id": run_id, **_run_facts(cfg, data, prep, result, models, seeds, device),
                    "checkpoints": saved,
                    "selection": {"model": selected, "rule": SELECTION_RULE,
                                  "validation_auroc": {name: entry["val_auroc"] for name, entry in models.items()}},
                    "stage_seconds": seconds, "stage_cpu_seconds": seeds_run.cpu_seconds,
                    "total_seconds": round(time.perf_counter() - started, 3)}
        run_info["leak_policy"] = policy_note
        run_info["recalibration_file"] = recalibration_file
        write_json(tmp / "config.json", run_info)
        checkpoints.write_manifest(tmp, ["config.json", "checkpoints/preprocess.json", recalibration_file,
                                         *saved.values()])
        report.write_report_md(tmp / "report.md", run_info, metrics_json, shap_top)
        run_assessment.write_html(tmp, run_id)
    final = cfg.run.out / run_id
    _load_into_warehouse(final, cfg.run.warehouse, run_id)
    log(f"run {run_id} done in {time.perf_counter() - started:.1f} s: {final}")
    return final


@dataclass
class SeedRuns:
    """Every seed's metrics, timings and predictions; the base seed's data and models (checkpointed)."""

    prep: Prepared
    result: SeedResult
    metrics: dict[str, dict]          # seed -> model -> test metrics
    seconds: dict[str, dict]          # seed -> stage -> wall-clock seconds
    cpu_seconds: dict[str, dict]      # seed -> stage -> CPU seconds
    predictions: pl.DataFrame         # every seed, model, split and stay


def train_seeds(data: MartData, cfg: Config, seeds: list[int], device: torch.device, progress: bool) -> SeedRuns:
    """Per seed: split and tensors, the stages, test metrics; only the base seed keeps its networks."""
    per_seed, seconds, cpu_seconds, predictions, base = {}, {}, {}, [], None
    for seed in seeds:
        prep = prepare(data, cfg, seed, device)
        result = train_seed(prep, cfg, cfg.run.ablations, progress)
        start = time.perf_counter()
        per_seed[str(seed)] = evaluate(result, prep, cfg)
        result.recalibrators = recalibrate(result, prep, cfg)
        result.seconds["evaluation"] = round(time.perf_counter() - start, 3)
        seconds[str(seed)], cpu_seconds[str(seed)] = result.seconds, result.cpu_seconds
        predictions.append(predictions_frame(result, prep))
        if base is None:
            base = (prep, result)
        else:  # free memory; only the base seed is checkpointed
            for net in result.networks.values():
                net.cpu()
            result.networks.clear()
    return SeedRuns(*base, per_seed, seconds, cpu_seconds, pl.concat(predictions))


def _resolved(cfg: Config) -> Config:
    """cfg with absolute run paths and the targets of the marts' metadata, so config.json reruns it."""
    run = cfg.run
    # marts absolute but not resolved: <data_dir>/marts is a symlink to the published build, and old builds
    # are deleted, so the run names the link (data_files_sha256 pins the content)
    cfg = cfg.with_run(marts=Path(os.path.abspath(run.marts)), out=run.out.resolve(),
                       warehouse=run.warehouse.resolve() if run.warehouse is not None else None)
    data_cfg, changes = resolve_targets(cfg.data, cfg.run.marts)
    for change in changes:
        log(f"model_targets.parquet: {change}")
    return cfg.model_copy(update={"data": data_cfg})


def _plot(folder: Path, result: SeedResult, prep: Prepared) -> None:
    plots.plot_loss_curves({name: dict(h.values) for name, h in result.histories.items()}, folder / "loss_curves.png",
                           best_epochs={name: h.best_epoch for name, h in result.histories.items()})


def _explain(folder: Path, result: SeedResult, prep: Prepared, cfg: Config,
             seconds: dict[str, float]) -> list[tuple[str, float]]:
    """SHAP of the full model's static features: beeswarm, shap_top.csv; returns the top 10."""
    start = time.perf_counter()
    train, test = prep.splits["train"], prep.splits["test"]
    shap_result = explain.shap_static(
        result.networks["full"], test.series.cpu().numpy(), test.static.cpu().numpy(),
        prep.preprocessor.feature_names, background_size=cfg.eval.shap_background,
        n_explain=cfg.eval.shap_stays, seed=cfg.seed,
        background_series=train.series.cpu().numpy(), background_static=train.static.cpu().numpy())
    plots.plot_shap_beeswarm(shap_result, folder / "shap_beeswarm.png")
    plots.write_shap_top(shap_result, folder / "shap_top.csv", k=10)
    seconds["shap"] = round(time.perf_counter() - start, 3)
    return list(shap_result.mean_abs[:10])


def _saliency(folder: Path, result: SeedResult, prep: Prepared, cfg: Config, data: MartData,
              seconds: dict[str, float]) -> None:
    """Integrated gradients of the full model over every (hour, channel) of the first test stays:
    saliency.parquet, saliency.png (deaths vs survivors), saliency_top.png (the highest-risk stays)."""
    if data.padding is not None:
        log("saliency skipped: leak policy mask (padding hours have no value to attribute)")
        return
    start = time.perf_counter()
    train, test = prep.splits["train"], prep.splits["test"]
    n = min(cfg.eval.saliency_stays, len(test.stay_ids))
    found = saliency.integrated_gradients(
        result.networks["full"], test.series[:n].cpu().numpy(), test.static[:n].cpu().numpy(), test.stay_ids[:n],
        prep.preprocessor.output_channels,
        saliency.channel_baseline(train.series.cpu().numpy(), cfg.eval.saliency_baseline))
    saliency.write_parquet(found, folder / "saliency.parquet")
    saliency.plot_saliency(found, test.label[:n], folder / "saliency.png")
    raw = data.series[prep.rows["test"][:n]]
    saliency.plot_top_stays(found, raw, folder / "saliency_top.png", data.channels)
    seconds["saliency"] = round(time.perf_counter() - start, 3)
    log(f"saliency: {n} test stays in {seconds['saliency']:.1f} s (max completeness error "
        f"{float(np.max(found.completeness_error)):.4f})")


def _run_facts(cfg: Config, data: MartData, prep: Prepared, result: SeedResult, models: dict, seeds: list[int],
               device: torch.device) -> dict:
    """What config.json records about the run besides its id, checkpoints, selection and timings."""
    return {
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": cfg.to_dict(),
        "data_fingerprint": combined_fingerprint(data.fingerprint),
        "data_files_sha256": data.fingerprint,
        "label": cfg.data.label_column,
        "marts_dir": str(cfg.run.marts),
        "marts_build": data.build_id,
        "packages": package_versions(),
        "seed": cfg.seed,
        "seeds": seeds,
        "device": str(device),
        "ablations": cfg.run.ablations,
        "channels": data.channels,
        "series_file": data.series_file,
        "input_channels": prep.preprocessor.output_channels,
        "feature_names": prep.preprocessor.feature_names,
        "split_sizes": {split: int(len(rows)) for split, rows in prep.rows.items()},
        "label_prevalence": {split: float(np.mean(prep.splits[split].label)) for split in prep.rows},
        "threshold_rule": THRESHOLD_RULE,
        "bootstrap": f"{cfg.eval.bootstrap_resamples} resamples of the test split, percentile 95 % CI",
        "thresholds": {name: entry["threshold"] for name, entry in models.items()},
        "ensembles": {name: list(members) for name, members in ENSEMBLES.items() if name in result.probabilities},
    }


def _load_into_warehouse(run_dir: Path, warehouse: Path | None, run_id: str) -> None:
    if warehouse is None:
        return
    try:
        warehouse_io.load_run_into_warehouse(run_dir, warehouse)
    except Exception as exc:  # the run is complete on disk; a warehouse problem must not lose it
        warnings.warn(f"run {run_id} written but not loaded into {warehouse}: {exc}", stacklevel=2)
