"""Training loops: MAE pretraining and supervised (multi)task training with early stopping.

Speed on 2 CPU cores: the split's tensors are preloaded on the device once, batches are index
permutations (no DataLoader, no workers), the frozen teacher's logits are computed once per stage,
running losses stay on the device (no per-step .item() sync), evaluation uses big batches, and the
encoder's last layer runs only where it is read (the MAE's masked hours, [CLS]; docs/modeling.md ## Speed).
"""
from __future__ import annotations

import ctypes
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn
from tqdm.auto import tqdm

from .config import Config, ModelConfig
from .losses import kd_loss
from .models import MaskedAutoencoder, random_time_mask
from .tasks import Task, TaskTargets, multitask_loss

EVAL_BATCH = 1024  # attention maps of a 1024-stay batch: ~80 MB per layer


@dataclass
class SplitTensors:
    """One split, on the device. targets: task name -> TaskTargets; label: primary label (N,) numpy."""

    series: torch.Tensor
    static: torch.Tensor
    targets: dict[str, TaskTargets]
    label: np.ndarray
    stay_ids: np.ndarray

    def __len__(self) -> int:
        return self.series.shape[0]


@dataclass
class StageSettings:
    epochs: int
    lr: float
    weight_decay: float
    batch_size: int
    patience: int = 5


@dataclass
class History:
    """Per-epoch values by series name (train_loss, val_loss, val_auroc, ...), plus the best epoch."""

    values: dict[str, list[float]] = field(default_factory=dict)
    best_epoch: int = -1
    seconds: float = 0.0

    def add(self, **kwargs: float) -> None:
        for key, value in kwargs.items():
            self.values.setdefault(key, []).append(float(value))


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def _check_finite(loss: torch.Tensor, stage: str, epoch: int) -> None:
    value = float(loss)
    if not math.isfinite(value):
        raise RuntimeError(f"{stage}: loss is {value} at epoch {epoch}; stopping (check the marts for extreme values)")


def keep_freed_memory() -> None:
    """Keep freed blocks in the process heap (glibc malloc) instead of returning them to the OS.

    A training step allocates and frees the same few-MB tensors (attention maps) every time; by
    default glibc unmaps or trims them and the next step page-faults them back in: ~2.5 ms of kernel
    time per step here (~4 %). The same blocks are reused, so the peak RSS does not grow (~1.0 GB on
    bench_train.py's 9,500 stays). No-op where the C library is not glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD: serve blocks < 32 MB from the heap
        libc.mallopt(-1, 1 << 30)           # M_TRIM_THRESHOLD: do not trim the heap's top below 1 GB free
    except (OSError, AttributeError):
        pass


def adamw(params, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """The paper's AdamW; `foreach` (a handful of kernels for all tensors, bit-identical updates to
    the default per-tensor loop, which torch picks on CPU) is ~0.25 ms cheaper per step."""
    return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, foreach=True)


def _batches(n: int, batch_size: int, generator: torch.Generator, device) -> list[torch.Tensor]:
    order = torch.randperm(n, generator=generator).to(device)
    return list(order.split(batch_size))


def pretrain_mae(train_series: torch.Tensor, model_cfg: ModelConfig, cfg: Config, seed: int,
                 progress: bool = True, val_series: torch.Tensor | None = None) -> tuple[MaskedAutoencoder, History]:
    """Stage 1 on the training split's series only (labels unused, other splits never seen)."""
    torch.manual_seed(seed)
    device = train_series.device
    n, steps, channels = train_series.shape
    mae = MaskedAutoencoder(n_channels=channels, n_steps=steps, cfg=model_cfg, mask_ratio=cfg.mae.mask_ratio).to(device)
    keep_freed_memory()
    optimizer = adamw(mae.parameters(), cfg.mae.lr, cfg.mae.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    mask_generator = torch.Generator(device=device).manual_seed(seed)
    history, start = History(), time.perf_counter()
    for epoch in tqdm(range(cfg.mae.epochs), desc="mae", disable=not progress, leave=False):
        mae.train()
        total = torch.zeros((), device=device)
        batches = _batches(n, cfg.mae.batch_size, generator, device)
        for rows in batches:
            batch = train_series[rows]
            mask = random_time_mask(batch.shape[0], steps, cfg.mae.mask_ratio, generator=mask_generator, device=device)
            loss = mae.masked_loss(batch, mask)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        mean_loss = total / len(batches)
        _check_finite(mean_loss, "mae", epoch)
        if val_series is None:
            history.add(train_loss=float(mean_loss))
        else:  # the same masks every epoch, from their own generator (the training draws are unchanged)
            history.add(train_loss=float(mean_loss), val_loss=_mae_val_loss(mae, val_series, cfg.mae.mask_ratio, seed))
    history.best_epoch, history.seconds = cfg.mae.epochs - 1, time.perf_counter() - start
    return mae.eval(), history


@torch.no_grad()
def _mae_val_loss(mae: MaskedAutoencoder, series: torch.Tensor, ratio: float, seed: int) -> float:
    """Mean masked reconstruction loss on the validation series (eval mode), with fixed masks."""
    was_training = mae.training
    mae.eval()
    generator = torch.Generator(device=series.device).manual_seed(seed + 7919)
    mask = random_time_mask(series.shape[0], series.shape[1], ratio, generator=generator, device=series.device)
    losses = [float(mae.masked_loss(series[s:s + EVAL_BATCH], mask[s:s + EVAL_BATCH])) * len(series[s:s + EVAL_BATCH])
              for s in range(0, series.shape[0], EVAL_BATCH)]
    mae.train(was_training)
    return sum(losses) / max(series.shape[0], 1)


@torch.no_grad()
def predict_outputs(model: nn.Module, series: torch.Tensor, static: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Eval-mode forward in big batches -> (class-1 probability (N,), regression output (N, k))."""
    was_training = model.training
    model.eval()
    probs, regs = [], []
    for start in range(0, series.shape[0], EVAL_BATCH):
        logits, reg = model(series[start:start + EVAL_BATCH], static[start:start + EVAL_BATCH])
        probs.append(torch.softmax(logits, dim=-1)[:, 1].float().cpu())
        regs.append(reg.float().cpu())
    model.train(was_training)
    return torch.cat(probs).numpy().astype(np.float64), torch.cat(regs).numpy().astype(np.float64)


@torch.no_grad()
def encode_cls(encoder: nn.Module, series: torch.Tensor) -> torch.Tensor:
    """(N, d) [CLS] embeddings of a frozen encoder in eval mode, in big batches."""
    encoder.eval()
    cls = encoder.cls_embedding if hasattr(encoder, "cls_embedding") else (lambda x: encoder(x)[:, 0])
    return torch.cat([cls(series[s:s + EVAL_BATCH]) for s in range(0, series.shape[0], EVAL_BATCH)])


@torch.no_grad()
def teacher_logits(teacher: nn.Module, series: torch.Tensor, static: torch.Tensor) -> torch.Tensor:
    """The frozen teacher's primary logits for a whole split (computed once per stage)."""
    teacher.eval()
    return torch.cat([teacher(series[s:s + EVAL_BATCH], static[s:s + EVAL_BATCH])[0]
                      for s in range(0, series.shape[0], EVAL_BATCH)])


def safe_auroc(label: np.ndarray, prob: np.ndarray) -> float:
    observed = ~np.isnan(label)
    y = label[observed]
    return float(roc_auc_score(y, prob[observed])) if len(np.unique(y)) == 2 else float("nan")


def fit_supervised(model: nn.Module, train: SplitTensors, val: SplitTensors, tasks: list[Task],
                   settings: StageSettings, class_weights: dict[str, torch.Tensor], seed: int, *,
                   teacher: nn.Module | None = None, kd_weight: float = 0.0,
                   frozen: nn.Module | None = None, desc: str = "student", progress: bool = True) -> History:
    """Train `model` on the tasks (+ KD towards a frozen teacher), early stopping on validation AUROC.

    frozen: a submodule kept frozen and in eval mode (the teacher probe's encoder). The best
    validation-AUROC weights are restored at the end.
    """
    device = train.series.device
    params = [p for p in model.parameters() if p.requires_grad]
    keep_freed_memory()
    optimizer = adamw(params, settings.lr, settings.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    weights = {k: v.to(device) for k, v in class_weights.items()}
    use_kd = teacher is not None and kd_weight > 0
    # a frozen encoder (teacher probe) gives the same [CLS] every epoch: encode each split once
    cache = frozen is not None and frozen is getattr(model, "encoder", None)
    train_cls = encode_cls(frozen, train.series) if cache else None
    val_cls = encode_cls(frozen, val.series) if cache else None
    train_teacher = teacher_logits(teacher, train.series, train.static) if use_kd else None
    val_teacher = teacher_logits(teacher, val.series, val.static) if use_kd else None

    history, start = History(), time.perf_counter()
    best_auroc, best_state, stale = -math.inf, None, 0
    bar = tqdm(range(settings.epochs), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        model.train()
        if frozen is not None:
            frozen.eval()
        total = torch.zeros((), device=device)
        batches = _batches(len(train), settings.batch_size, generator, device)
        for rows in batches:
            if cache:
                outputs = model.forward_tasks(train.series[rows], train.static[rows], cls=train_cls[rows])
            else:
                outputs = model.forward_tasks(train.series[rows], train.static[rows])
            targets = {name: t.index(rows) for name, t in train.targets.items()}
            loss, _ = multitask_loss(outputs, targets, tasks, weights)
            if use_kd:
                loss = loss + kd_weight * kd_loss(outputs[tasks[0].name], train_teacher[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        train_loss = total / len(batches)
        _check_finite(train_loss, desc, epoch)

        val_loss, val_auroc = evaluate_loss(model, val, tasks, weights, val_teacher, kd_weight if use_kd else 0.0,
                                            cls=val_cls)
        history.add(train_loss=float(train_loss), val_loss=val_loss, val_auroc=val_auroc)
        bar.set_postfix(train=f"{float(train_loss):.3f}", val_auroc=f"{val_auroc:.3f}")
        if val_auroc > best_auroc or best_state is None:
            best_auroc, stale, history.best_epoch = val_auroc, 0, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= settings.patience:
                break
    model.load_state_dict(best_state)
    model.eval()
    history.seconds = time.perf_counter() - start
    return history


@torch.no_grad()
def evaluate_loss(model: nn.Module, split: SplitTensors, tasks: list[Task], class_weights: dict[str, torch.Tensor],
                  teacher_split_logits: torch.Tensor | None = None, kd_weight: float = 0.0,
                  cls: torch.Tensor | None = None) -> tuple[float, float]:
    """Validation objective (same terms as training) and AUROC of the primary task, eval mode."""
    model.eval()
    outputs: dict[str, list[torch.Tensor]] = {}
    for start in range(0, len(split), EVAL_BATCH):
        chunk = slice(start, start + EVAL_BATCH)
        if cls is not None:
            out = model.forward_tasks(split.series[chunk], split.static[chunk], cls=cls[chunk])
        else:
            out = model.forward_tasks(split.series[chunk], split.static[chunk])
        for name, value in out.items():
            outputs.setdefault(name, []).append(value)
    merged = {name: torch.cat(values) for name, values in outputs.items()}
    loss, _ = multitask_loss(merged, split.targets, tasks, class_weights)
    if teacher_split_logits is not None and kd_weight > 0:
        loss = loss + kd_weight * kd_loss(merged[tasks[0].name], teacher_split_logits)
    prob = torch.softmax(merged[tasks[0].name], dim=-1)[:, 1].cpu().numpy()
    return float(loss), safe_auroc(split.label, prob)
