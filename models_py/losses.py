"""Loss terms of the student objective (Jin et al. 2025, §4):
L = 1.0 x CE (class-weighted) + 0.1 x MSE (z-scored scores) + 0.05 x ||softmax(z_S) - softmax(z_T)||^2.

Every term takes an observed-label mask: samples whose label is missing add nothing (never imputed).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def class_weights(labels: np.ndarray, n_classes: int = 2) -> torch.Tensor:
    """weight_c = n_train / (n_classes x count_c) over the observed training labels (nan = missing)."""
    labels = np.asarray(labels, dtype=np.float64)
    observed = labels[~np.isnan(labels)].astype(int)
    counts = np.bincount(observed, minlength=n_classes).astype(np.float64)
    if (counts == 0).any():
        absent = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"class_weights: class(es) {absent} absent from the training labels")
    return torch.tensor(len(observed) / (n_classes * counts), dtype=torch.float32)


def weighted_cross_entropy(logits: torch.Tensor, target: torch.Tensor, observed: torch.Tensor,
                           weight: torch.Tensor | None = None) -> torch.Tensor:
    """Class-weighted CE averaged like torch's weighted 'mean' (sum w_y l / sum w_y) over observed samples.

    logits (B, K), target (B,) long (any value where unobserved), observed (B,) bool.
    """
    safe_target = torch.where(observed, target, torch.zeros_like(target))
    per_sample = F.cross_entropy(logits, safe_target, reduction="none")  # (B,)
    w = weight[safe_target] if weight is not None else torch.ones_like(per_sample)
    w = w * observed.to(per_sample.dtype)
    return (per_sample * w).sum() / w.sum().clamp_min(1e-12)


def masked_mse(pred: torch.Tensor, target: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """Mean squared error over observed elements only. pred/target/observed (B, k)."""
    weights = observed.to(pred.dtype)
    return (((pred - target) ** 2) * weights).sum() / weights.sum().clamp_min(1.0)


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> torch.Tensor:
    """||softmax(z_S) - softmax(z_T)||^2: squared L2 summed over classes, mean over the batch.

    The teacher's logits are detached: the teacher is a fixed guide and gets no gradient.
    """
    diff = F.softmax(student_logits, dim=-1) - F.softmax(teacher_logits.detach(), dim=-1)
    return (diff ** 2).sum(dim=-1).mean()
