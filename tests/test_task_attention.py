"""M3H task attention (models_py/task_attention.py) inside MultitaskModel."""
from __future__ import annotations

import pytest
import torch

from models_py.config import ModelConfig
from models_py.models import MultitaskModel, SeriesEncoder
from models_py.tasks import (
    Task,
    classification_targets,
    multitask_loss,
    regression_targets,
)

TASKS = [Task("icu_mortality", "binary", ("icu_mortality",), 1.0, role="primary"),
         Task("severity", "regression", ("sofa", "sapsii"), 0.1),
         Task("age_band", "multiclass", ("age_band",), 0.1, n_classes=4, inputs="series")]
CFG = ModelConfig(d_model=16, n_heads=2, ffn_dim=32, n_layers=1, head_hidden=8)


def model(**kwargs) -> MultitaskModel:
    torch.manual_seed(0)
    return MultitaskModel(encoder=SeriesEncoder(n_channels=3, n_steps=48, cfg=CFG), n_static=5,
                          score_indices=[3, 4], tasks=TASKS, cfg=CFG, **kwargs).eval()


def inputs():
    gen = torch.Generator().manual_seed(1)
    return torch.randn(6, 48, 3, generator=gen), torch.randn(6, 5, generator=gen)


def test_zero_cross_term_is_exactly_the_independent_heads():
    plain, attended = model(), model(task_attention="fixed", attention_alpha=1.0)
    missing, unexpected = attended.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("task_attention.") for k in missing)
    with torch.no_grad():
        attended.task_attention.embedding.normal_()  # any attention weights: alpha = 1 ignores them
        attended.task_attention.value.weight.normal_()
    a, b = plain.forward_tasks(*inputs()), attended.forward_tasks(*inputs())
    assert set(a) == set(b) == {"icu_mortality", "severity", "age_band"}
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_cross_exploration_mixes_tasks_and_alpha_is_learned():
    net = model(task_attention="learned", attention_alpha=0.5).train()
    assert float(net.task_attention.alpha.detach()) == pytest.approx(0.5)
    series, static = inputs()
    out = net.forward_tasks(series, static)
    assert out["age_band"].shape == (6, 4) and out["severity"].shape == (6, 2)
    reps = torch.stack([net.heads[t.name][:-1](x) for t, x in zip(TASKS, net.head_inputs(
        net.encoder.cls_embedding(series), static).values())], dim=1)
    weights = net.task_attention.weights(reps)
    assert weights.shape == (6, 3, 3)
    torch.testing.assert_close(weights.sum(-1), torch.ones(6, 3))
    targets = {"icu_mortality": classification_targets(torch.tensor([0, 1, 0, 1, 0, 1.0]).numpy()),
               "age_band": classification_targets(torch.tensor([0, 1, 2, 3, float("nan"), 1]).numpy())}
    targets["severity"] = regression_targets(torch.zeros(6, 2).numpy(), torch.ones(6, 2).bool().numpy())
    loss, _ = multitask_loss(out, targets, TASKS)
    loss.backward()
    # the primary task's loss reaches the other tasks' hidden layers only through the cross term
    assert net.task_attention.alpha_logit.grad is not None and net.task_attention.alpha_logit.grad != 0
    assert net.task_attention.embedding.grad.abs().sum() > 0

    net.zero_grad()
    net.forward_tasks(series, static)["icu_mortality"].sum().backward()
    assert net.heads["age_band"][0].weight.grad.abs().sum() > 0


def test_independent_heads_do_not_share():
    net = model().train()
    series, static = inputs()
    net.forward_tasks(series, static)["icu_mortality"].sum().backward()
    assert net.heads["age_band"][0].weight.grad is None


def test_bad_settings_are_clear():
    with pytest.raises(ValueError, match="model.task_attention must be off, learned or fixed"):
        model(task_attention="on")
    with pytest.raises(ValueError, match="alpha must be in"):
        model(task_attention="fixed", attention_alpha=1.5)
