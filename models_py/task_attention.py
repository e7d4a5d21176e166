"""M3H task attention over the multitask heads (Bertsimas & Ma, M3H, 2024): each task mixes in what
the other tasks' heads extracted from the shared representation, balanced against its own.

Per task t, its head's hidden layer gives the task representation r_t (B, h) (the first Linear +
ReLU + dropout of the task's `_head` in MultitaskModel, from the joint representation [CLS] ⊕ static
the task sees). Each task has a learned embedding e_t (h). Then

    q_t = W_q e_t                       (the query comes from the task's own embedding)
    k_s = W_k r_s,  v_s = W_v r_s       (keys and values from the joint task representations)
    a_ts = softmax_s(q_t . k_s / sqrt(h))      over all tasks s, t included
    z_t = alpha r_t + (1 - alpha) sum_s a_ts v_s

and the task's output layer (its head's last Linear) reads z_t instead of r_t. alpha weighs
self-exploitation (the identity term: the task's own representation) against cross-exploration (the
attention over every task); alpha = 1 is exactly the independent heads. alpha is fixed (from the
config) or learned (alpha = sigmoid(theta), theta initialised at logit(alpha)).
"""
from __future__ import annotations

import math

import torch
from torch import nn


class TaskAttention(nn.Module):
    """{task: r_t (B, h)} -> {task: z_t (B, h)}; `weights` gives a (B, T, T) for inspection."""

    def __init__(self, task_names: list[str], hidden: int, alpha: float = 0.5, learn_alpha: bool = True):
        super().__init__()
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"task attention: alpha must be in [0, 1], got {alpha}")
        if learn_alpha and alpha in (0.0, 1.0):
            raise ValueError("task attention: a learned alpha starts strictly inside (0, 1)")
        self.task_names = list(task_names)
        self.hidden = hidden
        self.embedding = nn.Parameter(torch.randn(len(self.task_names), hidden) * 0.02)
        self.query, self.key, self.value = (nn.Linear(hidden, hidden) for _ in range(3))
        self.learn_alpha = learn_alpha
        if learn_alpha:
            self.alpha_logit = nn.Parameter(torch.tensor(math.log(alpha / (1.0 - alpha))))
        else:
            self.register_buffer("fixed_alpha", torch.tensor(float(alpha)))

    @property
    def alpha(self) -> torch.Tensor:
        return torch.sigmoid(self.alpha_logit) if self.learn_alpha else self.fixed_alpha

    def weights(self, reps: torch.Tensor) -> torch.Tensor:
        """reps (B, T, h) -> attention weights (B, T queries, T keys), rows summing to 1."""
        q = self.query(self.embedding)  # (T, h)
        k = self.key(reps)  # (B, T, h)
        return torch.softmax(torch.einsum("th,bsh->bts", q, k) / math.sqrt(self.hidden), dim=-1)

    def forward(self, reps: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        stacked = torch.stack([reps[name] for name in self.task_names], dim=1)  # (B, T, h)
        cross = torch.bmm(self.weights(stacked), self.value(stacked))  # (B, T, h)
        alpha = self.alpha
        mixed = alpha * stacked + (1.0 - alpha) * cross
        return {name: mixed[:, i] for i, name in enumerate(self.task_names)}
