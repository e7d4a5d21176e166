"""Unit behaviour of the torch layer: shapes, masking, losses, frozen teacher, overfitting, config."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from models_py.config import Config, apply_overrides, load_config
from models_py.engine import SplitTensors, StageSettings, fit_supervised
from models_py.losses import class_weights, kd_loss, masked_mse, weighted_cross_entropy
from models_py.models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder, freeze, random_time_mask
from models_py.tasks import Task, TaskTargets, default_tasks, multitask_loss

torch.set_num_threads(1)
B, T, C, F = 6, 48, 7, 12
SCORES = [8, 9, 10, 11]


def tiny_cfg(**model) -> Config:
    cfg = Config()
    for key, value in {"d_model": 16, "ffn_dim": 32, "n_heads": 4, "head_hidden": 16, **model}.items():
        setattr(cfg.model, key, value)
    return cfg


def tasks(cfg: Config) -> list[Task]:
    return default_tasks(cfg)


def make_model(cfg: Config, seed: int = 0) -> MultitaskModel:
    torch.manual_seed(seed)
    encoder = SeriesEncoder(n_channels=C, n_steps=T, cfg=cfg.model)
    return MultitaskModel(encoder=encoder, n_static=F, score_indices=SCORES, tasks=tasks(cfg), cfg=cfg.model)


# shapes


@pytest.mark.parametrize("positional", ["learned", "sinusoidal"])
def test_shapes_of_every_model(positional):
    cfg = tiny_cfg(positional=positional)
    series, static = torch.randn(B, T, C), torch.randn(B, F)
    mae = MaskedAutoencoder(n_channels=C, n_steps=T, cfg=cfg.model, mask_ratio=0.05)
    loss, pred, mask = mae(series)
    assert loss.shape == () and pred.shape == (B, T, C) and mask.shape == (B, T)
    assert mae.encoder(series).shape == (B, T + 1, cfg.model.d_model)  # [CLS] prepended

    logits, reg = make_model(cfg)(series, static)
    assert logits.shape == (B, 2) and reg.shape == (B, 4)

    lstm = LSTMBaseline(n_channels=C, n_static=F, cfg=cfg.model, task_name="icu_mortality")
    logits, reg = lstm(series, static)
    assert logits.shape == (B, 2) and reg.shape == (B, 0)


def test_regression_head_never_sees_the_scores():
    model = make_model(tiny_cfg()).eval()
    series, static = torch.randn(B, T, C), torch.randn(B, F)
    changed = static.clone()
    changed[:, SCORES] += 5.0  # the scores are the regression targets: must not leak into that head
    with torch.no_grad():
        logits_a, reg_a = model(series, static)
        logits_b, reg_b = model(series, changed)
    assert torch.allclose(reg_a, reg_b)
    assert not torch.allclose(logits_a, logits_b)  # the classification head does use them


# masking and the MAE loss


def test_masking_picks_about_five_percent_and_at_least_one():
    mask = random_time_mask(2000, 48, 0.05, generator=torch.Generator().manual_seed(0))
    per_sample = mask.sum(dim=1)
    assert (per_sample >= 1).all()
    assert per_sample.float().mean().item() == pytest.approx(0.05 * 48, abs=0.5)
    assert mask.float().mean(dim=0).min() > 0.02  # every hour gets masked sometimes: uniform, not fixed
    assert (random_time_mask(10, 10, 0.01).sum(dim=1) == 1).all()  # tiny ratio still masks one step


def test_mae_loss_ignores_unmasked_positions():
    series = torch.randn(B, T, C)
    mask = random_time_mask(B, T, 0.05, generator=torch.Generator().manual_seed(1))
    pred = torch.randn(B, T, C)
    base = MaskedAutoencoder.forward_loss(series, pred, mask)
    edited = pred.clone()
    edited[~mask] += 100.0  # change only unmasked predictions
    assert MaskedAutoencoder.forward_loss(series, edited, mask) == pytest.approx(base.item())
    edited = pred.clone()
    edited[mask] += 1.0  # a masked prediction does count
    assert MaskedAutoencoder.forward_loss(series, edited, mask) != pytest.approx(base.item())
    expected = ((pred - series) ** 2).mean(-1)[mask].mean()
    assert base.item() == pytest.approx(expected.item(), rel=1e-5)


def test_masked_steps_are_hidden_from_the_encoder():
    cfg = tiny_cfg(dropout=0.0)
    mae = MaskedAutoencoder(n_channels=C, n_steps=T, cfg=cfg.model).eval()
    series = torch.randn(1, T, C)
    mask = torch.zeros(1, T, dtype=torch.bool)
    mask[0, 5] = True
    altered = series.clone()
    altered[0, 5] += 50.0  # the masked hour's true value must not reach the encoder
    with torch.no_grad():
        assert torch.allclose(mae.encoder(series, mask), mae.encoder(altered, mask), atol=1e-5)


# losses and tasks


def test_kd_term_equals_its_formula_on_fixed_logits():
    zs = torch.tensor([[2.0, -1.0], [0.5, 0.5], [-3.0, 1.0]])
    zt = torch.tensor([[0.0, 0.0], [1.0, -1.0], [2.0, 2.5]])
    ps, pt = torch.softmax(zs, -1), torch.softmax(zt, -1)
    by_hand = sum(((ps[i] - pt[i]) ** 2).sum() for i in range(3)) / 3
    assert kd_loss(zs, zt).item() == pytest.approx(by_hand.item(), rel=1e-6)
    assert kd_loss(zt, zt).item() == 0.0
    zs = zs.clone().requires_grad_(True)
    teacher = zt.clone().requires_grad_(True)
    kd_loss(zs, teacher).backward()
    assert teacher.grad is None and zs.grad is not None  # no gradient flows into the teacher


def test_class_weights_follow_n_over_two_counts():
    weights = class_weights(np.array([0, 0, 0, 1, np.nan]))
    assert weights.tolist() == pytest.approx([4 / (2 * 3), 4 / (2 * 1)])
    with pytest.raises(ValueError, match="absent"):
        class_weights(np.array([0.0, 0.0]))


def test_weighted_ce_matches_torch_and_ignores_missing_labels():
    logits = torch.randn(8, 2)
    target = torch.tensor([0, 1, 0, 1, 1, 0, 0, 1])
    weight = torch.tensor([0.7, 2.0])
    observed = torch.ones(8, dtype=torch.bool)
    expected = torch.nn.functional.cross_entropy(logits, target, weight=weight)
    assert weighted_cross_entropy(logits, target, observed, weight).item() == pytest.approx(expected.item(), rel=1e-6)

    observed[[2, 5]] = False
    garbage = target.clone()
    garbage[[2, 5]] = 1  # whatever sits in a missing label's slot must not matter
    a = weighted_cross_entropy(logits, target, observed, weight)
    b = weighted_cross_entropy(logits, garbage, observed, weight)
    keep = observed.nonzero().squeeze(1)
    c = torch.nn.functional.cross_entropy(logits[keep], target[keep], weight=weight)
    assert a.item() == pytest.approx(b.item()) == pytest.approx(c.item(), rel=1e-6)


def test_masked_task_losses_ignore_missing_labels():
    cfg = Config()
    task_list = tasks(cfg)
    pred = torch.randn(5, 4)
    target = torch.randn(5, 4)
    observed = torch.rand(5, 4) > 0.3
    observed[0] = True
    tampered = torch.where(observed, target, torch.full_like(target, 1e6))
    outputs = {"icu_mortality": torch.randn(5, 2), "severity": pred}
    y = TaskTargets(torch.tensor([0, 1, 0, 1, 0]), torch.tensor([True, True, False, True, True]))
    total_a, parts_a = multitask_loss(outputs, {"icu_mortality": y, "severity": TaskTargets(target, observed)},
                                      task_list)
    total_b, parts_b = multitask_loss(outputs, {"icu_mortality": y, "severity": TaskTargets(tampered, observed)},
                                      task_list)
    assert total_a.item() == pytest.approx(total_b.item())
    assert parts_a["severity"].item() == pytest.approx(((pred - target) ** 2)[observed].mean().item(), rel=1e-5)
    assert total_a.item() == pytest.approx(1.0 * parts_a["icu_mortality"].item() + 0.1 * parts_a["severity"].item(),
                                           rel=1e-6)
    nothing = masked_mse(pred, target, torch.zeros_like(observed))
    assert nothing.item() == 0.0  # a batch with no observed target adds nothing (no nan)


# training behaviour


def _split(n: int, seed: int, cfg: Config) -> SplitTensors:
    g = torch.Generator().manual_seed(seed)
    series, static = torch.randn(n, T, C, generator=g), torch.randn(n, F, generator=g)
    label = (series[:, -6:, 3].mean(1) + static[:, 8] > 0).long()  # learnable from both inputs
    targets = {"icu_mortality": TaskTargets(label, torch.ones(n, dtype=torch.bool)),
               "severity": TaskTargets(static[:, SCORES] * 0.5, torch.ones(n, 4, dtype=torch.bool))}
    return SplitTensors(series, static, targets, label.numpy().astype(float), np.arange(n))


def test_tiny_model_overfits_a_tiny_batch():
    cfg = tiny_cfg(dropout=0.0, head_dropout=0.0)
    model = make_model(cfg)
    batch = _split(16, 0, cfg)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(150):
        loss, _ = multitask_loss(model.forward_tasks(batch.series, batch.static), batch.targets, tasks(cfg))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0]
    with torch.no_grad():
        assert (model(batch.series, batch.static)[0].argmax(1) == batch.targets["icu_mortality"].target).all()


def test_teacher_never_changes_and_gets_no_gradients_during_student_training():
    cfg = tiny_cfg()
    teacher = freeze(make_model(cfg, seed=1))
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    student = make_model(cfg, seed=2)
    student_before = {k: v.clone() for k, v in student.state_dict().items()}
    settings = StageSettings(epochs=2, lr=1e-3, weight_decay=1e-4, batch_size=16, patience=5)
    fit_supervised(student, _split(64, 0, cfg), _split(32, 1, cfg), tasks(cfg), settings,
                   {"icu_mortality": torch.tensor([1.0, 1.0])}, seed=0, teacher=teacher, kd_weight=0.05,
                   progress=False)
    assert not teacher.training
    for name, param in teacher.named_parameters():
        assert not param.requires_grad and param.grad is None, name
    for name, value in teacher.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert any(not torch.equal(v, student_before[k]) for k, v in student.state_dict().items())


def test_early_stopping_restores_the_best_weights():
    cfg = tiny_cfg()
    model = make_model(cfg)
    train, val = _split(64, 0, cfg), _split(48, 1, cfg)
    history = fit_supervised(model, train, val, tasks(cfg), StageSettings(6, 3e-3, 1e-4, 16, patience=2),
                             {"icu_mortality": torch.tensor([1.0, 1.0])}, seed=0, progress=False)
    aurocs = history.values["val_auroc"]
    assert history.best_epoch == int(np.argmax(aurocs))
    from models_py.engine import evaluate_loss
    _, restored = evaluate_loss(model, val, tasks(cfg), {"icu_mortality": torch.tensor([1.0, 1.0])})
    assert restored == pytest.approx(max(aurocs))
    assert len(aurocs) <= 6


# config


def test_config_defaults_are_the_papers_and_overrides_apply(tmp_path):
    cfg = Config()
    assert (cfg.mae.mask_ratio, cfg.model.d_model, cfg.model.ffn_dim, cfg.model.n_heads, cfg.model.n_layers) == \
        (0.05, 64, 256, 8, 2)
    assert (cfg.model.dropout, cfg.model.head_dropout, cfg.student.lr, cfg.student.weight_decay) == \
        (0.1, 0.2, 1e-3, 1e-4)
    assert (cfg.student.batch_size, cfg.student.epochs, cfg.mae.epochs, cfg.student.patience) == (64, 30, 30, 5)
    assert (cfg.loss.ce_weight, cfg.loss.mse_weight, cfg.loss.kd_weight) == (1.0, 0.1, 0.05)
    assert cfg.data.score_columns == ["sofa_first_day", "sapsii", "lods", "oasis"]
    assert (cfg.eval.bootstrap_resamples, cfg.eval.shap_stays) == (1000, 500)

    toml = tmp_path / "c.toml"
    toml.write_text('seed = 3\n[student]\nlr = 5e-4\n[teacher]\nheads = "untrained"\n')
    cfg = load_config(toml, ["student.epochs=7", "data.score_columns=sofa_first_day,oasis",
                             "student.init_from_mae=true"])
    assert (cfg.seed, cfg.student.lr, cfg.teacher.heads, cfg.student.epochs) == (3, 5e-4, "untrained", 7)
    assert cfg.data.score_columns == ["sofa_first_day", "oasis"] and cfg.student.init_from_mae is True

    with pytest.raises(ValueError, match="unknown config key 'lrr'"):
        apply_overrides(Config(), ["student.lrr=1"])
    with pytest.raises(ValueError, match="expects int"):
        apply_overrides(Config(), ["student.epochs=many"])
    with pytest.raises(ValueError, match="teacher.heads"):
        apply_overrides(Config(), ["teacher.heads=sometimes"])


def test_encoder_layer_matches_torchs_transformer_layer():
    from models_py.models import EncoderLayer
    torch.manual_seed(0)
    ours = EncoderLayer(16, 4, 32, dropout=0.1, attention_dropout=0.1).eval()
    ref = torch.nn.TransformerEncoderLayer(16, 4, 32, 0.1, batch_first=True).eval()
    with torch.no_grad():
        ours.qkv.weight.copy_(ref.self_attn.in_proj_weight)
        ours.qkv.bias.copy_(ref.self_attn.in_proj_bias)
        ours.out.weight.copy_(ref.self_attn.out_proj.weight)
        ours.out.bias.copy_(ref.self_attn.out_proj.bias)
        for mine, theirs in [(ours.ffn_in, ref.linear1), (ours.ffn_out, ref.linear2), (ours.norm1, ref.norm1),
                             (ours.norm2, ref.norm2)]:
            mine.load_state_dict(theirs.state_dict())
        x = torch.randn(3, 49, 16)
        torch.testing.assert_close(ours(x), ref(x), rtol=1e-5, atol=1e-5)


def test_teacher_probe_trains_heads_only():
    cfg = tiny_cfg()
    teacher = make_model(cfg, seed=1)
    freeze(teacher.encoder)
    encoder_before = {k: v.clone() for k, v in teacher.encoder.state_dict().items()}
    heads_before = {k: v.clone() for k, v in teacher.heads.state_dict().items()}
    fit_supervised(teacher, _split(64, 0, cfg), _split(32, 1, cfg), tasks(cfg),
                   StageSettings(2, 1e-3, 1e-4, 16, 5), {"icu_mortality": torch.tensor([1.0, 1.0])}, seed=0,
                   frozen=teacher.encoder, progress=False)
    assert all(torch.equal(v, encoder_before[k]) for k, v in teacher.encoder.state_dict().items())
    assert any(not torch.equal(v, heads_before[k]) for k, v in teacher.heads.state_dict().items())


# speed paths (docs/modeling.md ## Speed): same computation as the plain torch ops


def _copy_torch_layer(ours, ref) -> None:
    with torch.no_grad():
        ours.qkv.weight.copy_(ref.self_attn.in_proj_weight)
        ours.qkv.bias.copy_(ref.self_attn.in_proj_bias)
        ours.out.weight.copy_(ref.self_attn.out_proj.weight)
        ours.out.bias.copy_(ref.self_attn.out_proj.bias)
        for mine, theirs in [(ours.ffn_in, ref.linear1), (ours.ffn_out, ref.linear2), (ours.norm1, ref.norm1),
                             (ours.norm2, ref.norm2)]:
            mine.load_state_dict(theirs.state_dict())


def test_training_attention_path_matches_torchs_layer_when_nothing_is_dropped():
    from models_py.models import EncoderLayer
    torch.manual_seed(0)
    # attention_dropout > 0 takes the written-out CPU path; 1e-9 rounds to "keep every weight"
    ours = EncoderLayer(16, 4, 32, dropout=0.0, attention_dropout=1e-9).train()
    ref = torch.nn.TransformerEncoderLayer(16, 4, 32, 0.0, batch_first=True).train()
    _copy_torch_layer(ours, ref)
    x = torch.randn(3, 49, 16, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    torch.testing.assert_close(ours(x), ref(x_ref), rtol=1e-5, atol=1e-5)
    ours(x).square().sum().backward()
    ref(x_ref).square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(ours.qkv.weight.grad, ref.self_attn.in_proj_weight.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5])
def test_fast_dropout_drops_p_and_rescales_like_f_dropout(p):
    from models_py.models import fast_dropout
    x = torch.rand(64, 49, 256) + 0.5  # no zeros of its own
    torch.manual_seed(0)
    out = fast_dropout(x, p, training=True)
    dropped = out == 0
    assert dropped.float().mean().item() == pytest.approx(p, abs=0.005)
    torch.testing.assert_close(out[~dropped], x[~dropped] / (1 - p))
    # every position is dropped at the same rate (no lane of the 64-bit draw is biased)
    lanes = dropped.reshape(-1, 4).float().mean(dim=0)
    assert (lanes - p).abs().max().item() < 0.01
    torch.manual_seed(0)
    assert torch.equal(fast_dropout(x, p, training=True), out)  # repeatable under torch.manual_seed
    assert not torch.equal(fast_dropout(x, p, training=True), out)  # and fresh on every call
    assert fast_dropout(x, p, training=False) is x
    leaf = x.clone().requires_grad_(True)
    torch.manual_seed(1)
    y = fast_dropout(leaf, p, training=True)
    y.sum().backward()
    torch.testing.assert_close(leaf.grad, (y != 0).float() / (1 - p))  # gradient flows through kept units only


def test_bf16_precision_is_opt_in_close_and_returns_float32():
    cfg = tiny_cfg()
    torch.manual_seed(0)
    encoder = SeriesEncoder(n_channels=C, n_steps=T, cfg=cfg.model).eval()
    series = torch.randn(B, T, C)
    with torch.no_grad():
        exact = encoder(series)
        encoder.bf16 = True
        approx = encoder(series)
    assert exact.dtype == approx.dtype == torch.float32
    assert not torch.equal(exact, approx)  # bf16 really ran
    torch.testing.assert_close(approx, exact, rtol=0.05, atol=0.05)
    cfg.model.precision = "fp16"
    with pytest.raises(ValueError, match="model.precision must be fp32 or bf16"):
        SeriesEncoder(n_channels=C, n_steps=T, cfg=cfg.model)


def test_dropout_keep_is_the_comparison_of_the_same_random_bits():
    from models_py.models import dropout_keep
    for p in (0.1, 0.2, 0.5):
        torch.manual_seed(3)
        keep = dropout_keep((64, 8, 49, 49), p)
        torch.manual_seed(3)
        n = 64 * 8 * 49 * 49
        bits = torch.randint(-2**63, 2**63 - 1, ((n + 3) // 4,), dtype=torch.int64).view(torch.int16)[:n]
        expected = (bits >= round(p * 65536) - 32768).view(keep.shape)
        assert keep.dtype == torch.float32
        assert torch.equal(keep, expected.float())  # exactly 0/1, the same draws as a bool comparison


@pytest.mark.parametrize("p", [0.0, 0.1])
@pytest.mark.parametrize("n_queries", [49, 3])  # every token, or a last layer's few read tokens
def test_training_attention_matches_autograd_through_the_plain_ops(p, n_queries):
    from models_py.models import TrainingAttention, dropout_keep
    torch.manual_seed(0)
    q = torch.randn(24, n_queries, 8).requires_grad_(True)
    k, v = (torch.randn(24, 49, 8).requires_grad_(True) for _ in range(2))
    grad = torch.randn(24, n_queries, 8)
    torch.manual_seed(7)
    out = TrainingAttention.apply(q.transpose(1, 2).contiguous().transpose(1, 2), k, v, p)  # strided input too
    out.backward(grad)
    ours = [out.detach(), q.grad, k.grad, v.grad]
    q.grad = k.grad = v.grad = None
    torch.manual_seed(7)  # the same dropout mask
    weights = torch.softmax((q * 8 ** -0.5) @ k.transpose(1, 2), dim=-1)
    if p > 0:
        weights = weights * dropout_keep(weights.shape, p) / (1 - p)
    ref = weights @ v
    ref.backward(grad)
    for mine, theirs in zip(ours, [ref.detach(), q.grad, k.grad, v.grad]):
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-5)
    if p > 0:  # and the dropout really ran
        plain = torch.softmax((q * 8 ** -0.5) @ k.transpose(1, 2), dim=-1) @ v
        assert not torch.allclose(ours[0], plain.detach(), rtol=1e-3, atol=1e-3)


def _grads(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.grad.clone() for name, p in module.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("training", [False, True])
def test_mae_masked_loss_equals_the_full_forward_loss_and_gradients(training):
    # no dropout: both paths see the same network; float64: the paths agree to rounding, tightly
    cfg = tiny_cfg(dropout=0.0, attention_dropout=0.0)
    torch.manual_seed(0)
    mae = MaskedAutoencoder(n_channels=C, n_steps=T, cfg=cfg.model).double().train(training)
    series = torch.randn(B, T, C, dtype=torch.float64)
    mask = random_time_mask(B, T, 0.1)
    full = mae(series, mask)[0]
    full.backward()
    expected = _grads(mae)
    mae.zero_grad()
    fast = mae.masked_loss(series, mask)
    fast.backward()
    torch.testing.assert_close(fast, full, rtol=1e-9, atol=1e-12)
    got = _grads(mae)
    assert got.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-9, atol=1e-12, msg=name)
    # masks with unequal counts per sample take the full forward
    uneven = mask.clone()
    uneven[0] = False
    uneven[0, :5] = True
    torch.testing.assert_close(mae.masked_loss(series, uneven), mae(series, uneven)[0])


@pytest.mark.parametrize("training", [False, True])
def test_cls_embedding_equals_the_full_encoders_cls_and_gradients(training):
    cfg = tiny_cfg(dropout=0.0, attention_dropout=0.0)
    torch.manual_seed(0)
    encoder = SeriesEncoder(n_channels=C, n_steps=T, cfg=cfg.model).double().train(training)
    series = torch.randn(B, T, C, dtype=torch.float64)
    full = encoder(series)[:, 0]
    full.square().sum().backward()
    expected = _grads(encoder)
    encoder.zero_grad()
    fast = encoder.cls_embedding(series)
    fast.square().sum().backward()
    torch.testing.assert_close(fast, full, rtol=1e-9, atol=1e-12)
    got = _grads(encoder)
    assert got.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-9, atol=1e-12, msg=name)
    # and the model's forward reads it: student outputs are unchanged (float32, to rounding)
    model = make_model(cfg).eval()
    series, static = series.float(), torch.randn(B, F)
    with torch.no_grad():
        logits, reg = model(series, static)
        cls = model.encoder(series)[:, 0]
        expected_logits = model.heads[model.primary](torch.cat([cls, static], dim=1))
    torch.testing.assert_close(logits, expected_logits, rtol=1e-5, atol=1e-6)
