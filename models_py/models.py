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


def split_padding(series: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Hours whose channels are all NaN are padding (leak policy `mask`: the hours after ICU outtime).

    Returns the series with NaN set to 0 and the (B, T) bool padding mask, or (series, None) when no
    hour is padding, so the paper's series take exactly the computation they always took.
    """
    nan = torch.isnan(series)
    if not bool(nan.any()):
        return series, None
    return series.masked_fill(nan, 0.0), nan.all(dim=-1)


def dropout_keep(shape: torch.Size | tuple[int, ...], p: float) -> torch.Tensor:
    """float32 keep mask (1 = keep, 0 = drop, P(drop) = p to 2^-16) from torch's default CPU generator.

    One 64-bit draw gives the bits of four elements (16 uniform bits each, keep iff bits >= p x 2^16).
    The bits are integers, so clamp(bits - (t - 1), 0, 1) is exactly 0 or 1: a float-only path that
    is ~5x cheaper than comparing to a bool mask and converting it.
    """
    n = math.prod(shape)
    bits = torch.randint(-2**63, 2**63 - 1, ((n + 3) // 4,), dtype=torch.int64).view(torch.int16)[:n]
    threshold = round(p * 65536) - 32768
    return bits.view(shape).to(torch.float32).sub_(threshold - 1).clamp_(0.0, 1.0)


def fast_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Inverted dropout (zero with probability p, scale the rest by 1 / (1 - p)), cheaper on CPU.

    F.dropout on CPU draws one Bernoulli sample per element (~5 ns each): at this model size that
    was ~1/3 of a training step. Here the keep mask comes from `dropout_keep` (16 random bits per
    element), so p is honoured to 2^-16 and torch.manual_seed still makes runs repeatable. Other
    devices keep F.dropout.
    """
    if not training or p == 0.0:
        return x
    if x.device.type != "cpu" or p >= 1.0:
        return F.dropout(x, p, training=True)
    keep = dropout_keep(x.shape, p).mul_(1.0 / (1.0 - p))
    return x * keep.to(x.dtype)


class TrainingAttention(torch.autograd.Function):
    """softmax(q kᵀ / √dh) with dropout on the weights, then @ v: the training-mode attention on CPU.

    q: (N, Q, dh), k, v: (N, T, dh) (N = batch x heads; Q = T, or fewer query tokens in a last layer
    that computes only the tokens read). The same computation as the plain ops, arranged for
    speed at head dim 8: every matmul has a wide (T) output (vᵀ @ weightsᵀ instead of weights @ v:
    ~2.5x faster in MKL), the 1 / (1 - p) rescale is applied to the small (N, T, dh) tensors, not the
    (N, T, T) maps, and the backward reuses buffers in place. Gradients match autograd's through the
    plain ops to float rounding (tests/test_models_units.py).
    """

    @staticmethod
    def forward(ctx, q, k, v, p: float, bias: torch.Tensor | None = None):
        q = q * (q.shape[-1] ** -0.5)
        scores = torch.bmm(q, k.transpose(1, 2))  # (N, Q, T)
        if bias is not None:  # (N, 1, T): -inf on padding keys
            scores = scores + bias
        weights = torch.softmax(scores, dim=-1)
        keep = dropout_keep(weights.shape, p) if p > 0 else None
        kept = weights * keep if keep is not None else weights
        out_t = torch.bmm(v.transpose(1, 2), kept.transpose(1, 2))  # (N, dh, T) = (kept @ v)ᵀ
        if p > 0:
            out_t.mul_(1.0 / (1.0 - p))
        ctx.p = p
        ctx.save_for_backward(q, k, v, weights, keep, kept)
        return out_t.transpose(1, 2)

    @staticmethod
    def backward(ctx, grad):
        q, k, v, weights, keep, kept = ctx.saved_tensors
        if ctx.p > 0:
            grad = grad * (1.0 / (1.0 - ctx.p))
        grad_kept = torch.bmm(grad, v.transpose(1, 2))  # (N, T, T)
        grad_v_t = torch.bmm(grad.transpose(1, 2), kept)  # (N, dh, T)
        if keep is not None:
            grad_kept.mul_(keep)
        grad_scores = torch._softmax_backward_data(grad_kept, weights, -1, weights.dtype)
        grad_q_t = torch.bmm(k.transpose(1, 2), grad_scores.transpose(1, 2)).mul_(q.shape[-1] ** -0.5)
        grad_k_t = torch.bmm(q.transpose(1, 2), grad_scores)
        return grad_q_t.transpose(1, 2), grad_k_t.transpose(1, 2), grad_v_t.transpose(1, 2), None, None


def freeze(module: nn.Module) -> nn.Module:
    """No gradients, eval mode (dropout off): the frozen teacher."""
    for param in module.parameters():
        param.requires_grad_(False)
    return module.eval()


# classes


class EncoderLayer(nn.Module):
    """A post-norm Transformer encoder layer, the same computation as nn.TransformerEncoderLayer
    (batch_first, ReLU, norm_first=False), written for CPU speed at this size (49 tokens, head dim 8):
    fused QKV projection, F.scaled_dot_product_attention in eval, `TrainingAttention` when training
    on CPU, and `fast_dropout`. Parameter names differ; tests/test_models_units.py checks outputs and
    gradients match torch's layer with copied weights.
    """

    def __init__(self, d_model: int, n_heads: int, ffn_dim: int, dropout: float, attention_dropout: float):
        super().__init__()
        self.n_heads, self.attention_dropout = n_heads, attention_dropout
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.ffn_in, self.ffn_out = nn.Linear(d_model, ffn_dim), nn.Linear(ffn_dim, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, rows: torch.Tensor | None = None,
                padding: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, L, d) -> (B, L, d); with `rows` (B, Q) token positions -> (B, Q, d), those tokens only.
        padding (B, L) bool: tokens no query attends to (their own outputs are computed but never read).

        With `rows`, keys and values still come from every token, but the queries, the output
        projection and the feed-forward block run on the Q tokens alone: the same values for them
        (float rounding aside), for the last layer when only they are read (the MAE's masked hours,
        the classifier's [CLS]).
        """
        b, t, d = x.shape
        h, dh = self.n_heads, d // self.n_heads
        if rows is None:
            q, k, v = self.qkv(x).view(b, t, 3, h, dh).permute(2, 0, 3, 1, 4)  # 3 x (B, h, L, dh)
            residual = x
        else:
            residual = x.gather(1, rows.unsqueeze(-1).expand(-1, -1, d))  # (B, Q, d)
            q = F.linear(residual, self.qkv.weight[:d], self.qkv.bias[:d]).view(b, -1, h, dh).transpose(1, 2)
            k, v = F.linear(x, self.qkv.weight[d:], self.qkv.bias[d:]).view(b, t, 2, h, dh).permute(2, 0, 3, 1, 4)
        n_q = q.shape[2]
        # additive key bias (B, 1, 1, L): -inf on padding, so softmax gives those keys weight 0
        bias = None if padding is None else torch.zeros(padding.shape, dtype=q.dtype, device=q.device).masked_fill(
            padding, float("-inf"))[:, None, None, :]
        fast_path = x.device.type == "cpu" and self.attention_dropout < 1 and not torch.is_autocast_enabled("cpu")
        if self.training and fast_path:
            flat_bias = None if bias is None else bias.expand(b, h, 1, t).reshape(b * h, 1, t)
            attn = TrainingAttention.apply(q.reshape(b * h, n_q, dh), k.reshape(b * h, t, dh), v.reshape(b * h, t, dh),
                                           self.attention_dropout, flat_bias).view(b, h, n_q, dh)
        elif self.training and self.attention_dropout > 0 and x.device.type == "cpu":
            # bf16 autocast on CPU: the plain ops, which autocast casts op by op
            scores = (q * dh ** -0.5) @ k.transpose(-2, -1)
            weights = torch.softmax(scores if bias is None else scores + bias, dim=-1)
            attn = fast_dropout(weights, self.attention_dropout, True) @ v
        else:
            keep = None if padding is None else ~padding[:, None, None, :]  # True = attended
            attn = F.scaled_dot_product_attention(q, k, v, attn_mask=keep,
                                                  dropout_p=self.attention_dropout if self.training else 0.0)
        x = self.norm1(residual + self._dropout(self.out(attn.transpose(1, 2).reshape(b, n_q, d))))
        hidden = F.relu(self.ffn_in(x), inplace=True)  # in place: the linear's backward does not need its output
        return self.norm2(x + self._dropout(self.ffn_out(self._dropout(hidden))))

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

    def forward(self, series: torch.Tensor, mask: torch.Tensor | None = None,
                rows: torch.Tensor | None = None) -> torch.Tensor:
        """series (B, T, C) -> (B, 1 + T, d); with `rows` (B, Q) token positions (0 = [CLS], t + 1 =
        hour t) -> (B, Q, d): the last layer computes only the tokens that are read (see EncoderLayer).
        Hours that are all NaN are padding no token attends to (`split_padding`)."""
        series, padding = split_padding(series)
        if padding is not None:  # [CLS] is never padding
            padding = torch.cat([padding.new_zeros(padding.shape[0], 1), padding], dim=1)
        tokens = self.project(series)  # (B, T, d)
        if mask is not None:
            tokens = torch.where(mask.unsqueeze(-1), self.mask_token.expand_as(tokens), tokens)
        cls = self.cls_token.expand(tokens.shape[0], -1, -1)
        tokens = torch.cat([cls, tokens], dim=1) + self.position  # (B, 1 + T, d)
        with torch.autocast(tokens.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            for i, layer in enumerate(self.layers):
                tokens = layer(tokens, rows if i == len(self.layers) - 1 else None, padding)
        return tokens.to(series.dtype)  # float32 again after bf16 autocast

    def cls_embedding(self, series: torch.Tensor) -> torch.Tensor:
        """(B, d) [CLS] outputs, = self(series)[:, 0] with the last layer run for [CLS] only."""
        return self(series, rows=torch.zeros(series.shape[0], 1, dtype=torch.long, device=series.device))[:, 0]


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
        mask = mask & ~torch.isnan(series).all(dim=-1)  # padding is never a reconstruction target
        latent = self.encoder(series, mask)
        pred = self.decoder(latent[:, 1:])  # drop [CLS]
        return self.forward_loss(series, pred, mask), pred, mask

    def masked_loss(self, series: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """= forward(series, mask)[0], the training loss, with the last layer and the decoder run at the
        masked hours only (the only outputs the loss reads: ~40 % less work per step). Needs the same
        number of masked hours per sample (random_time_mask's); other masks take the full forward."""
        padding = torch.isnan(series).all(dim=-1)
        if bool(padding.any()):
            mask = mask & ~padding  # padding is never a reconstruction target
        counts = mask.sum(dim=1)
        if counts.numel() == 0 or not bool((counts == counts[0]).all()) or int(counts[0]) == 0:
            return self(series, mask)[0]
        hours = mask.nonzero()[:, 1].view(series.shape[0], -1)  # (B, Q), ascending per sample
        pred = self.decoder(self.encoder(series, mask, rows=hours + 1))  # (B, Q, C); token 0 is [CLS]
        target = series.gather(1, hours.unsqueeze(-1).expand(-1, -1, series.shape[-1]))
        return ((pred - target) ** 2).mean()  # mean over the masked hours of the mean over channels

    @staticmethod
    def forward_loss(series: torch.Tensor, pred: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # padding hours are NaN and never in the mask; zeroed before the square so no NaN reaches a gradient
        per_step = ((pred - torch.nan_to_num(series)) ** 2).mean(dim=-1)  # (B, T)
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
    [CLS] ⊕ static features without the score columns (they are the targets); a task declared with
    inputs="series" sees [CLS] only, inputs="static" the static side only. A multiclass task's head
    has K outputs (softmax over them in the loss).
    forward(series, static) -> (logits of the first classification task (B, n_classes),
                                predictions of the first regression task (B, k) or (B, 0)).
    """

    def __init__(self, *, encoder: SeriesEncoder, n_static: int, score_indices: list[int], tasks: list[Task],
                 cfg: ModelConfig, task_attention: str | None = None, attention_alpha: float | None = None):
        super().__init__()
        self.encoder = encoder
        keep = [i for i in range(n_static) if i not in set(score_indices)]
        self.register_buffer("no_score_index", torch.tensor(keep, dtype=torch.long))
        self.tasks = list(tasks)
        self.heads = nn.ModuleDict()
        for task in self.tasks:
            n_in = len(keep) if task.kind == "regression" else n_static
            width = {"both": encoder.d_model + n_in, "series": encoder.d_model, "static": n_in}[task.inputs]
            self.heads[task.name] = _head(width, task.n_outputs, cfg)
        declared = [t.name for t in self.tasks if t.role == "primary" and t.kind != "regression"]
        self.primary = declared[0] if declared else next(t.name for t in self.tasks if t.kind != "regression")
        self.regression = next((t.name for t in self.tasks if t.kind == "regression"), None)
        # M3H task attention between the heads' hidden layers (task_attention.py): off (independent
        # heads, the paper's) | learned (alpha learned) | fixed (alpha from the config); the
        # arguments win over the config's model.task_attention / model.task_attention_alpha
        mode = task_attention or getattr(cfg, "task_attention", "off")
        alpha = attention_alpha if attention_alpha is not None else getattr(cfg, "task_attention_alpha", 0.5)
        if mode not in ("off", "learned", "fixed"):
            raise ValueError(f"model.task_attention must be off, learned or fixed, got {mode!r}")
        self.task_attention = None
        if mode != "off":
            from .task_attention import TaskAttention

            self.task_attention = TaskAttention([t.name for t in self.tasks], cfg.head_hidden, alpha,
                                                learn_alpha=mode == "learned")

    def head_inputs(self, cls: torch.Tensor, static: torch.Tensor) -> dict[str, torch.Tensor]:
        """Each task's head input: [CLS] ⊕ static (scores dropped for regression) per its `inputs`."""
        sides = {"full": static, "reduced": static.index_select(1, self.no_score_index)}
        built: dict[tuple[str, str], torch.Tensor] = {}  # each concatenation once, shared by the heads
        out = {}
        for task in self.tasks:
            side = "reduced" if task.kind == "regression" else "full"
            if task.inputs == "series":
                out[task.name] = cls
            elif task.inputs == "static":
                out[task.name] = sides[side]
            else:
                if (side, "both") not in built:
                    built[side, "both"] = torch.cat([cls, sides[side]], dim=1)
                out[task.name] = built[side, "both"]
        return out

    def forward_tasks(self, series: torch.Tensor, static: torch.Tensor,
                      cls: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Every task's output. cls: precomputed (B, d) [CLS] embeddings (a frozen encoder's, cached)."""
        if cls is None:
            cls = self.encoder.cls_embedding(series)  # (B, d)
        inputs = self.head_inputs(cls, static)
        if self.task_attention is None:
            return {task.name: self.heads[task.name](inputs[task.name]) for task in self.tasks}
        # each head = Linear, ReLU, Dropout (its hidden layer r_t), then the output Linear (reads z_t)
        reps = {name: self.heads[name][:-1](x) for name, x in inputs.items()}
        mixed = self.task_attention(reps)
        return {task.name: self.heads[task.name][-1](mixed[task.name]) for task in self.tasks}

    def forward(self, series: torch.Tensor, static: torch.Tensor):
        out = self.forward_tasks(series, static)
        reg = out[self.regression] if self.regression else static.new_zeros(static.shape[0], 0)
        return out[self.primary], reg

    @classmethod
    def from_encoder(cls, encoder: SeriesEncoder, **kwargs) -> MultitaskModel:
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
        series, padding = split_padding(series)
        if padding is None:
            _, (hidden, _) = self.lstm(series)  # hidden (1, B, h)
            last = hidden[-1]
        else:  # the state after the last hour that is not padding (padding only trails)
            out, _ = self.lstm(series)
            last_hour = (~padding).sum(dim=1).clamp_min(1) - 1
            last = out[torch.arange(out.shape[0], device=out.device), last_hour]
        logits = self.head(torch.cat([last, static], dim=1))
        return logits, static.new_zeros(static.shape[0], 0)

    def forward_tasks(self, series: torch.Tensor, static: torch.Tensor) -> dict[str, torch.Tensor]:
        return {self.primary: self(series, static)[0]}
