"""Multiclass tasks end to end: class codes load from the marts, K-class weights, the loss masked where
the label is missing, a softmax head of size K trained beside mortality, metrics against scikit-learn."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import torch
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from models_py.config import ModelConfig
from models_py.data import MartError, load_marts
from models_py.engine import SplitTensors, StageSettings, fit_supervised
from models_py.losses import class_weights, weighted_cross_entropy
from models_py.models import MultitaskModel, SeriesEncoder
from models_py.multiclass_metrics import bootstrap_multiclass, multiclass_metrics
from models_py.preprocess import Preprocessor
from models_py.splits import split_by_patient
from models_py.synthetic_marts import write_marts
from models_py.tasks import (
    Task,
    classification_targets,
    multiclass_targets,
    multitask_loss,
)

SCORES = ["sofa_first_day", "sapsii", "lods", "oasis"]
AGE_BANDS = ("18-44", "45-64", "65-79", ">=80")


def _age_band(age: pl.Expr) -> pl.Expr:
    return (pl.when(age.is_null()).then(None).when(age < 45).then(0).when(age < 65).then(1)
            .when(age < 80).then(2).otherwise(3)).cast(pl.Int32)


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    """The fixture marts plus cohort.age_band: class codes 0..3 from the static age, null where age is."""
    folder = write_marts(tmp_path_factory.mktemp("mc_marts"), n_stays=260, seed=3)
    age = pl.read_parquet(folder / "static_features.parquet").select("stay_id", "age")
    cohort = pl.read_parquet(folder / "cohort.parquet").join(age, on="stay_id")
    cohort.with_columns(age_band=_age_band(pl.col("age"))).drop("age").write_parquet(folder / "cohort.parquet")
    return folder


def test_class_codes_load_only_when_declared_multiclass(marts):
    data = load_marts(marts, ["icu_mortality", "age_band"], SCORES, label_classes={"age_band": 4})
    band = data.labels["age_band"]
    assert np.isnan(band).sum() > 0 and set(np.unique(band[~np.isnan(band)])) == {0.0, 1.0, 2.0, 3.0}
    with pytest.raises(MartError, match=r"cohort\.parquet: column age_band must be 0/1 .*found values \[2\.0, 3\.0\]"):
        load_marts(marts, ["icu_mortality", "age_band"], SCORES)
    with pytest.raises(MartError, match=r"column age_band must be a class code 0\.\.2 .*\[3\.0\]"):
        load_marts(marts, ["icu_mortality", "age_band"], SCORES, label_classes={"age_band": 3})
    with pytest.raises(ValueError, match=r"task age_band: labels must be class codes 0\.\.2"):
        multiclass_targets(band, 3, "age_band")


def test_k_class_weights_and_the_loss_masked_where_missing():
    labels = np.array([0, 0, 0, 1, 2, 2, np.nan, 3, np.nan, 1])
    weights = class_weights(labels, n_classes=4)
    counts = np.array([3, 2, 2, 1])
    np.testing.assert_allclose(weights.numpy(), 8 / (4 * counts), rtol=1e-6)
    with pytest.raises(ValueError, match=r"class\(es\) \[3\] absent"):
        class_weights(np.array([0, 1, 2, 2]), n_classes=4)

    targets = multiclass_targets(labels, 4)
    logits = torch.randn(len(labels), 4, generator=torch.Generator().manual_seed(0))
    loss = weighted_cross_entropy(logits, targets.target, targets.observed, weights)
    changed = logits.clone()
    changed[np.isnan(labels)] = torch.tensor([50.0, -50.0, 3.0, 9.0])  # missing rows: anything goes
    assert torch.equal(loss, weighted_cross_entropy(changed, targets.target, targets.observed, weights))
    known = ~np.isnan(labels)
    expected = torch.nn.functional.cross_entropy(logits[known], torch.from_numpy(labels[known].astype(np.int64)),
                                                 weight=weights)
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)


def test_metrics_match_scikit_learn():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300).astype(float)
    logits = rng.normal(size=(300, 4)) + 1.5 * np.eye(4)[y.astype(int)]
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    prob[5] = prob[6]  # ties in the scores
    y[[3, 17]] = np.nan
    known = ~np.isnan(y)
    got = multiclass_metrics(y, prob)
    yk, pk = y[known].astype(int), prob[known]
    assert got["macro_auroc"] == pytest.approx(roc_auc_score(yk, pk, multi_class="ovr", average="macro"), abs=1e-12)
    assert got["accuracy"] == pytest.approx(accuracy_score(yk, pk.argmax(1)), abs=1e-12)
    assert got["macro_f1"] == pytest.approx(f1_score(yk, pk.argmax(1), labels=range(4), average="macro",
                                                     zero_division=0), abs=1e-12)

    boot = bootstrap_multiclass(y, prob, n_resamples=200, seed=0)
    # the same resamples scored by scikit-learn, one at a time
    idx = np.random.default_rng(0).integers(0, yk.size, size=(200, yk.size))
    sk = [f1_score(yk[i], pk[i].argmax(1), labels=range(4), average="macro", zero_division=0) for i in idx]
    assert boot["macro_f1"]["ci_low"] == pytest.approx(np.percentile(sk, 2.5), abs=1e-12)
    sk_auc = [roc_auc_score(yk[i], pk[i], multi_class="ovr", average="macro") for i in idx[:20]]
    assert boot["macro_auroc"]["n_resamples"] == 200
    for name in ("macro_auroc", "accuracy", "macro_f1"):
        assert boot[name]["ci_low"] <= got[name] <= boot[name]["ci_high"]
    np.testing.assert_allclose(sk_auc, [multiclass_metrics(yk[i], pk[i])["macro_auroc"] for i in idx[:20]], atol=1e-12)
    with pytest.raises(ValueError, match="not class codes"):
        multiclass_metrics(np.array([0, 5]), np.full((2, 4), 0.25))


def test_a_multiclass_task_trains_beside_mortality_on_small_marts(marts):
    """Load, split, preprocess, train a student with a 4-class age-band head, score."""
    data = load_marts(marts, ["icu_mortality", "age_band"], SCORES, label_classes={"age_band": 4})
    label = data.labels["icu_mortality"]
    rows = split_by_patient(data.subject_ids, label, seed=0)
    train_rows = rows["train"]
    pre = Preprocessor.fit(data.series[train_rows], data.static[train_rows], data.channels, data.static_columns,
                           data.score_columns)
    series = torch.from_numpy(pre.transform_series(data.series))
    static = torch.from_numpy(pre.transform_static(data.static))
    targets = {"icu_mortality": classification_targets(label),
               "age_band": multiclass_targets(data.labels["age_band"], 4, "age_band")}
    tasks = [Task("icu_mortality", "binary", ("icu_mortality",), 1.0, role="primary"),
             Task("age_band", "multiclass", ("age_band",), 0.5, n_classes=4, classes=AGE_BANDS)]
    weights = {"icu_mortality": class_weights(label[train_rows]),
               "age_band": class_weights(data.labels["age_band"][train_rows], n_classes=4)}
    assert weights["age_band"].shape == (4,)

    def split(idx):
        index = torch.from_numpy(idx)
        return SplitTensors(series=series[index], static=static[index],
                            targets={k: t.index(index) for k, t in targets.items()}, label=label[idx],
                            stay_ids=data.stay_ids[idx])

    torch.manual_seed(0)
    cfg = ModelConfig(d_model=16, n_heads=2, ffn_dim=32, n_layers=1, head_hidden=16)
    model = MultitaskModel(encoder=SeriesEncoder(n_channels=series.shape[2], n_steps=48, cfg=cfg),
                           n_static=static.shape[1], score_indices=pre.score_indices, tasks=tasks, cfg=cfg)
    assert model.heads["age_band"][-1].out_features == 4
    history = fit_supervised(model, split(train_rows), split(rows["val"]), tasks,
                             StageSettings(epochs=20, lr=5e-3, weight_decay=0.0, batch_size=32, patience=20), weights,
                             seed=0, progress=False)
    assert np.isfinite(history.values["train_loss"]).all()

    test = split(rows["test"])
    with torch.no_grad():
        logits = model.forward_tasks(test.series, test.static)["age_band"]
    prob = torch.softmax(logits, dim=-1).numpy()
    band = data.labels["age_band"][rows["test"]]
    got = bootstrap_multiclass(band, prob, n_resamples=100)
    known = ~np.isnan(band)
    assert got["accuracy"]["value"] == pytest.approx(accuracy_score(band[known], prob[known].argmax(1)))
    # the static age is an input of this head (inputs="both"): 20 short epochs beat chance (0.5) clearly
    # (0.72 measured; ~50 test stays, so the bar leaves room for the seed-to-seed spread)
    assert got["macro_auroc"]["value"] > 0.6, got["macro_auroc"]

    parts = multitask_loss(model.forward_tasks(test.series, test.static), test.targets, tasks, weights)[1]
    assert set(parts) == {"icu_mortality", "age_band"} and torch.isfinite(parts["age_band"])
