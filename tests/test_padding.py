"""Leak policy `mask`: hours marked as padding (all channels NaN) change no output of any network."""
import pytest
import torch

from models_py.config import Config
from models_py.models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder
from models_py.tasks import Task

B, T, C, S = 6, 12, 3, 4


def _inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    series = torch.rand(B, T, C, generator=g)
    static = torch.rand(B, S, generator=g)
    hours = torch.tensor([12, 1, 5, 7, 12, 3])  # ICU hours of each stay's window
    padding = torch.arange(T)[None, :] >= hours[:, None]
    return series, static, padding


def _with_padding(series, padding, fill):
    out = series.clone()
    out[padding] = fill
    return out


def _cfg():
    cfg = Config()
    cfg.model.d_model, cfg.model.n_heads, cfg.model.n_layers, cfg.model.ffn_dim = 16, 2, 2, 32
    cfg.model.head_hidden, cfg.model.lstm_hidden = 8, 8
    return cfg.model


def _models():
    torch.manual_seed(0)
    model_cfg = _cfg()
    encoder = SeriesEncoder(n_channels=C, n_steps=T, cfg=model_cfg)
    tasks = [Task("label", "binary", ("label",), 1.0)]
    return {
        "student": MultitaskModel(encoder=encoder, n_static=S, score_indices=[], tasks=tasks, cfg=model_cfg),
        "lstm": LSTMBaseline(n_channels=C, n_static=S, cfg=model_cfg, task_name="label"),
    }


@pytest.mark.parametrize("path", ["eval", "train"])
def test_attention_with_padding_matches_torchs_key_padding_mask(path):
    from test_models_units import _copy_torch_layer

    from models_py.models import EncoderLayer
    torch.manual_seed(0)
    # train: attention_dropout 1e-9 takes the hand-written CPU attention and keeps every weight
    ours = EncoderLayer(16, 4, 32, dropout=0.0, attention_dropout=1e-9 if path == "train" else 0.0)
    ref = torch.nn.TransformerEncoderLayer(16, 4, 32, 0.0, batch_first=True)
    _copy_torch_layer(ours, ref)
    ours.train(path == "train")
    ref.train(path == "train")
    padding = torch.arange(13)[None, :] >= torch.tensor([13, 2, 6])[:, None]
    x = torch.randn(3, 13, 16, requires_grad=True)
    x_ref = x.detach().clone().requires_grad_(True)
    out, expected = ours(x, padding=padding), ref(x_ref, src_key_padding_mask=padding)
    keep = ~padding
    torch.testing.assert_close(out[keep], expected[keep], rtol=1e-5, atol=1e-5)
    out[keep].square().sum().backward()
    expected[keep].square().sum().backward()
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-4, atol=1e-4)
    assert x.grad[padding].abs().max() == 0  # padding tokens influence nothing that is read


def test_lstm_reads_the_state_after_the_last_icu_hour():
    model = _models()["lstm"].eval()
    series, static, padding = _inputs()
    out = model(_with_padding(series, padding, float("nan")), static)[0]
    for i in range(B):
        hours = int((~padding[i]).sum())
        alone = model(series[i:i + 1, :hours], static[i:i + 1])[0]
        torch.testing.assert_close(out[i:i + 1], alone, rtol=1e-5, atol=1e-6)


def test_padding_differs_from_zeros_and_gradients_are_finite():
    model = _models()["student"].train()
    series, static, padding = _inputs()
    torch.manual_seed(2)
    masked = model(_with_padding(series, padding, float("nan")), static)[0]
    torch.manual_seed(2)
    zeros = model(_with_padding(series, padding, 0.0), static)[0]
    assert not torch.allclose(masked, zeros)  # the paper's zeros are seen; padding is not
    masked.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


def test_mae_never_reconstructs_padding():
    torch.manual_seed(0)
    mae = MaskedAutoencoder(n_channels=C, n_steps=T, cfg=_cfg(), mask_ratio=0.2).train()
    series, _, padding = _inputs()
    marked = _with_padding(series, padding, float("nan"))
    mask = torch.zeros(B, T, dtype=torch.bool)
    mask[:, 2] = True  # hour 2 is padding for the stay with 1 ICU hour
    loss = mae.masked_loss(marked, mask)
    assert torch.isfinite(loss)
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in mae.parameters() if p.grad is not None)
    loss_full, _, used = mae(marked, mask)
    assert not (used & padding).any()
    assert torch.isfinite(loss_full)
