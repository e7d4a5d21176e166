"""The torch models: MAE over the 48-hour VIS series, the multitask teacher/student, an LSTM baseline.

Jin et al. (2025) §3-§4, Figures 2-4. Conventions:
- series: (B, T, C) z-scored log doses, T = 48 hours, C = channels read from vis_hourly.parquet.
- static: (B, F) preprocessed static features with the severity scores last (`score_indices`).
- MAE mask: (B, T) bool, True = masked (hidden from the encoder, reconstructed, scored).
- Masked steps are replaced AFTER the linear projection by a learnable mask embedding (BERT-style),
  so the encoder can tell "masked" from "no infusion" (a zero dose is a real value here).
- Positional encoding: learned (default) or sinusoidal over the 1 + T tokens ([CLS] at position 0).
"""
from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .tasks import Task

# helpers


def sinusoidal_table(n_positions: int, d_model: int) -> torch.Tensor:
    position = torch.arange(n_positions).unsqueeze(1)
    div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    table = torch.zeros(n_positions, d_model)
    table[:, 0::2] = torch.sin(position * div)
    table[:, 1::2] = torch.cos(position * div)
    return table


def random_time_mask(batch: int, steps: int, ratio: float, generator: torch.Generator | None = None,
                     device=None) -> torch.Tensor:
    """(B, T) bool, exactly max(1, round(ratio * T)) masked steps per sample, chosen uniformly."""
    n_masked = max(1, round(ratio * steps))
    noise = torch.rand(batch, steps, generator=generator, device=device)
    ranks = noise.argsort(dim=1).argsort(dim=1)  # a random permutation's ranks per sample
    return ranks < n_masked


def fast_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Inverted dropout (zero with probability p, scale the rest by 1 / (1 - p)), cheaper on CPU.

    F.dropout on CPU draws one Bernoulli sample per element (~5 ns each): at this model size that
    was ~1/3 of a training step. Here one 64-bit draw from torch's default generator gives the keep
    bits of four elements (16 uniform bits each, keep iff bits >= p x 2^16), so p is honoured to
    2^-16 and torch.manual_seed still makes runs repeatable. Other devices keep F.dropout.
    """
    if not training or p == 0.0:
        return x
    if x.device.type != "cpu" or p >= 1.0:
        return F.dropout(x, p, training=True)
    n = x.numel()
    bits = torch.randint(-2**63, 2**63 - 1, ((n + 3) // 4,), dtype=torch.int64).view(torch.int16)[:n]
    keep = bits.view(x.shape) >= round(p * 65536) - 32768
    return x * (keep * (1.0 / (1.0 - p))).to(x.dtype)


def freeze(module: nn.Module) -> nn.Module:
    """No gradients, eval mode (dropout off): the frozen teacher."""
    for param in module.parameters():
        param.requires_grad_(False)
    return module.eval()


# classes


class EncoderLayer(nn.Module):
    """A post-norm Transformer encoder layer, the same computation as nn.TransformerEncoderLayer
    (batch_first, ReLU, norm_first=False), written for CPU speed at this size (49 tokens, head dim 8):
    fused QKV projection, F.scaled_dot_product_attention in eval, attention written out when training
    with attention dropout, and `fast_dropout`. Parameter names differ; tests/test_models_units.py
    checks outputs and gradients match torch's layer with copied weights.
    """

    def __init__(self, d_model: int, n_heads: int, ffn_dim: int, dropout: float, attention_dropout: float):
        super().__init__()
        self.n_heads, self.attention_dropout = n_heads, attention_dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.ffn_in, self.ffn_out = nn.Linear(d_model, ffn_dim), nn.Linear(ffn_dim, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)  # (B, h, T, d/h)
        if self.training and self.attention_dropout > 0 and x.device.type == "cpu":
            # SDPA with dropout falls back to its math path on CPU (plus a masked-row softmax and a
            # Bernoulli draw per attention weight): the same computation written out is cheaper
            weights = torch.softmax((q * (q.shape[-1] ** -0.5)) @ k.transpose(-2, -1), dim=-1)
            attn = fast_dropout(weights, self.attention_dropout, True) @ v
        else:
            attn = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attention_dropout if self.training else 0.0)
        x = self.norm1(x + self._dropout(self.out(attn.transpose(1, 2).reshape(b, t, d))))
        return self.norm2(x + self._dropout(self.ffn_out(self._dropout(F.relu(self.ffn_in(x))))))

    def _dropout(self, x: torch.Tensor) -> torch.Tensor:
        return fast_dropout(x, self.dropout.p, self.training)


class SeriesEncoder(nn.Module):
    """[CLS] + linear projection C -> d_model + positions -> Transformer encoder. Returns (B, 1 + T, d)."""

    def __init__(self, *, n_channels: int, n_steps: int, cfg: ModelConfig):
        super().__init__()
        self.n_channels, self.n_steps, self.d_model = n_channels, n_steps, cfg.d_model
        self.project = nn.Linear(n_channels, cfg.d_model)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.d_model))
        self.mask_token = nn.Parameter(torch.zeros(1, 1, cfg.d_model))
        if cfg.positional == "learned":
            self.position = nn.Parameter(torch.zeros(1, n_steps + 1, cfg.d_model))
        else:
            self.register_buffer("position", sinusoidal_table(n_steps + 1, cfg.d_model).unsqueeze(0))
        nn.init.normal_(self.cls_token, std=0.02)
        nn.init.normal_(self.mask_token, std=0.02)
        if cfg.positional == "learned":
            nn.init.normal_(self.position, std=0.02)
        self.layers = nn.ModuleList([
            EncoderLayer(cfg.d_model, cfg.n_heads, cfg.ffn_dim, cfg.dropout, cfg.attention_dropout)
            for _ in range(cfg.n_layers)
        ])
        # opt-in "bf16": the layers' matmuls run in bfloat16 under autocast (~1/3 less CPU time per
        # step on CPUs with AVX512-BF16/AMX; slower on older ones); weights and outputs stay float32
        precision = getattr(cfg, "precision", "fp32")
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"model.precision must be fp32 or bf16, got {precision!r}")
        self.bf16 = precision == "bf16"

    def forward(self, series: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        tokens = self.project(series)  # (B, T, d)
        if mask is not None:
            tokens = torch.where(mask.unsqueeze(-1), self.mask_token.expand_as(tokens), tokens)
        cls = self.cls_token.expand(tokens.shape[0], -1, -1)
        tokens = torch.cat([cls, tokens], dim=1) + self.position  # (B, 1 + T, d)
        with torch.autocast(tokens.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            for layer in self.layers:
                tokens = layer(tokens)
        return tokens.float()


class MaskedAutoencoder(nn.Module):
    """Stage 1: reconstruct masked hours of the VIS series (MSE on masked positions only)."""

    def __init__(self, *, n_channels: int, n_steps: int, cfg: ModelConfig, mask_ratio: float = 0.05):
        super().__init__()
        assert 0 < mask_ratio < 1, "mask_ratio must be in (0, 1)"
        self.mask_ratio = mask_ratio
        self.encoder = SeriesEncoder(n_channels=n_channels, n_steps=n_steps, cfg=cfg)
        self.decoder = nn.Linear(cfg.d_model, n_channels)

    def forward(self, series: torch.Tensor, mask: torch.Tensor | None = None):
        """series (B, T, C) -> (loss, pred (B, T, C), mask (B, T))."""
        if mask is None:
            mask = random_time_mask(series.shape[0], series.shape[1], self.mask_ratio, device=series.device)
        latent = self.encoder(series, mask)
        pred = self.decoder(latent[:, 1:])  # drop [CLS]
        return self.forward_loss(series, pred, mask), pred, mask

    @staticmethod
    def forward_loss(series: torch.Tensor, pred: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        per_step = ((pred - series) ** 2).mean(dim=-1)  # (B, T)
        weights = mask.to(per_step.dtype)
        return (per_step * weights).sum() / weights.sum().clamp_min(1.0)


def _head(in_features: int, out_features: int, cfg: ModelConfig) -> nn.Module:
    return nn.Sequential(
        nn.Linear(in_features, cfg.head_hidden), nn.ReLU(), nn.Dropout(cfg.head_dropout),
        nn.Linear(cfg.head_hidden, out_features),
    )


class MultitaskModel(nn.Module):
    """Teacher and student (Figure 4): shared encoder, one head per declared task.

    Classification tasks see [CLS] ⊕ all static features (scores included); regression tasks see
    [CLS] ⊕ static features without the score columns (they are the targets).
    forward(series, static) -> (logits of the first classification task (B, n_classes),
                                predictions of the first regression task (B, k) or (B, 0)).
    """

    def __init__(self, *, encoder: SeriesEncoder, n_static: int, score_indices: list[int], tasks: list[Task],
                 cfg: ModelConfig):
        super().__init__()
        self.encoder = encoder
        keep = [i for i in range(n_static) if i not in set(score_indices)]
        self.register_buffer("no_score_index", torch.tensor(keep, dtype=torch.long))
        self.tasks = list(tasks)
        self.heads = nn.ModuleDict()
        for task in self.tasks:
            if task.kind == "regression":
                self.heads[task.name] = _head(encoder.d_model + len(keep), len(task.columns), cfg)
            else:
                self.heads[task.name] = _head(encoder.d_model + n_static, task.n_outputs, cfg)
        self.primary = next(t.name for t in self.tasks if t.kind != "regression")
        self.regression = next((t.name for t in self.tasks if t.kind == "regression"), None)

    def forward_tasks(self, series: torch.Tensor, static: torch.Tensor,
                      cls: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Every task's output. cls: precomputed (B, d) [CLS] embeddings (a frozen encoder's, cached)."""
        if cls is None:
            cls = self.encoder(series)[:, 0]  # (B, d)
        full = torch.cat([cls, static], dim=1)
        reduced = torch.cat([cls, static.index_select(1, self.no_score_index)], dim=1)
        return {task.name: self.heads[task.name](reduced if task.kind == "regression" else full)
                for task in self.tasks}

    def forward(self, series: torch.Tensor, static: torch.Tensor):
        out = self.forward_tasks(series, static)
        reg = out[self.regression] if self.regression else static.new_zeros(static.shape[0], 0)
        return out[self.primary], reg

    @classmethod
    def from_encoder(cls, encoder: SeriesEncoder, **kwargs) -> "MultitaskModel":
        """A model on a copy of `encoder` (the MAE's stays untouched)."""
        return cls(encoder=copy.deepcopy(encoder), **kwargs)


class LSTMBaseline(nn.Module):
    """LSTM over the series, last hidden state ⊕ static -> classification (Ning et al.-style baseline)."""

    def __init__(self, *, n_channels: int, n_static: int, cfg: ModelConfig, task_name: str, n_classes: int = 2):
        super().__init__()
        self.primary = task_name
        self.lstm = nn.LSTM(n_channels, cfg.lstm_hidden, batch_first=True)
        self.head = _head(cfg.lstm_hidden + n_static, n_classes, cfg)

    def forward(self, series: torch.Tensor, static: torch.Tensor):
        _, (hidden, _) = self.lstm(series)  # hidden (1, B, h)
        logits = self.head(torch.cat([hidden[-1], static], dim=1))
        return logits, static.new_zeros(static.shape[0], 0)

    def forward_tasks(self, series: torch.Tensor, static: torch.Tensor) -> dict[str, torch.Tensor]:
        return {self.primary: self(series, static)[0]}
