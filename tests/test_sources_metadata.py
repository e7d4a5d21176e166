"""The trainer driven by the metadata marts (series_channels, model_targets): fill policies, observation
masks, target discovery, the set holdout split, the summary-statistic baselines, and MIMIC-IV unchanged."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import torch
from sklearn.metrics import roc_auc_score

from models_py.baselines import fit_gradient_boosting
from models_py.config import Config, load_config
from models_py.data import MartError, load_marts, resolve_targets
from models_py.dataset import prepare
from models_py.preprocess import Preprocessor, hours_since_observed, locf, summary_features
from models_py.splits import split_holdout
from models_py.stages import SeedResult
from models_py.synthetic_marts import write_marts, write_metadata

NAN = np.nan


def _copy(src, dst):
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.parquet"):
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


@pytest.fixture(scope="module")
def fixture_marts(tmp_path_factory):
    return write_marts(tmp_path_factory.mktemp("marts"), n_stays=300, seed=5)


# fill policies on hand-made arrays ---------------------------------------------------------------


def test_locf_carries_forward_within_each_stay_only():
    x = np.array([[NAN, 1.0, NAN, NAN, 4.0, NAN],
                  [NAN, NAN, NAN, NAN, NAN, 7.0]])
    out = locf(x)
    np.testing.assert_array_equal(out[0], [NAN, 1, 1, 1, 4, 4])
    # the second stay does not inherit the first stay's last value (4.0)
    np.testing.assert_array_equal(out[1], [NAN, NAN, NAN, NAN, NAN, 7])


def _two_channel_preprocessor(train: np.ndarray, **kwargs) -> Preprocessor:
    static = pl.DataFrame({"age": np.arange(len(train), dtype=float)})
    return Preprocessor.fit(train, static, ["hr_bpm", "dose"], ["age"], [],
                            fill_policy=["locf_then_train_median", "zero"], transform=["zscore", "log1p_zscore"],
                            observation_mask=[True, False], **kwargs)


def test_fill_median_comes_from_training_rows_only():
    # training stays: observed heart rates 10, 20, 30 (median 20); the dose channel is never NULL
    train = np.array([[[NAN, 0.0], [10.0, 1.0], [NAN, 0.0]],
                      [[20.0, 0.0], [NAN, 0.0], [30.0, 2.0]]], dtype=np.float32)
    pre = _two_channel_preprocessor(train)
    assert pre.fill_median == [20.0, None]
    # a test stay with extreme values does not move the median; its own gap is LOCF, its leading gap the median
    test = np.array([[[NAN, 0.0], [1000.0, 0.0], [NAN, 0.0]]], dtype=np.float32)
    np.testing.assert_array_equal(pre.fill(test)[0, :, 0], [20.0, 1000.0, 1000.0])
    # refitting with the test stay among the training rows WOULD change it: the isolation is real
    assert _two_channel_preprocessor(np.concatenate([train, test])).fill_median[0] == 25.0
    # the z-score statistics of the locf channel are over filled training hours: 20,10,10,20,20,30
    assert pre.channel_mean[0] == pytest.approx(np.mean([20, 10, 10, 20, 20, 30]))
    # the zero channel keeps the VIS transform: log1p then z-score
    assert pre.channel_mean[1] == pytest.approx(np.mean(np.log1p([0, 1, 0, 0, 0, 2])))


def test_observation_mask_and_time_since_channels_are_appended():
    train = np.array([[[NAN, 0.0], [10.0, 1.0], [NAN, 0.0], [NAN, 0.0]],
                      [[20.0, 0.0], [NAN, 0.0], [30.0, 2.0], [40.0, 0.0]]], dtype=np.float32)
    pre = _two_channel_preprocessor(train, time_since_observed=True)
    out = pre.transform_series(train, ["hr_bpm", "dose"])
    assert out.shape == (2, 4, 4) and out.dtype == np.float32 and np.isfinite(out).all()
    assert pre.output_channels == ["hr_bpm", "dose", "hr_bpm__observed", "hr_bpm__hours_since_observed"]
    np.testing.assert_array_equal(out[:, :, 2], [[0, 1, 0, 0], [1, 0, 1, 1]])
    np.testing.assert_allclose(out[0, :, 3], [1.0, 0.0, 0.25, 0.5])  # before the first observation: 1
    np.testing.assert_allclose(hours_since_observed(np.array([[[False], [False]]])), [[[1.0], [1.0]]])
    # the fitted policy survives preprocess.json
    with pytest.raises(ValueError, match="channels"):
        pre.transform_series(train, ["dose", "hr_bpm"])


def test_preprocess_json_round_trip_keeps_the_fill_policy(tmp_path):
    train = np.array([[[NAN, 0.0], [10.0, 1.0]], [[20.0, 0.0], [NAN, 3.0]]], dtype=np.float32)
    pre = _two_channel_preprocessor(train)
    pre.to_json(tmp_path / "preprocess.json")
    again = Preprocessor.from_json(tmp_path / "preprocess.json")
    np.testing.assert_array_equal(again.transform_series(train), pre.transform_series(train))
    assert again.fill_median == [15.0, None] and again.observation_mask == [True, False]


# reading the marts through the metadata ----------------------------------------------------------


def _p12_like(folder, fixture_marts):
    """The fixture renamed into a second source: series mart hourly_measurements with a locf channel."""
    folder = _copy(fixture_marts, folder)
    vis = pl.read_parquet(folder / "vis_hourly.parquet")
    rng = np.random.default_rng(0)
    heart = [None if gap else float(v) for gap, v in zip(rng.uniform(size=vis.height) < 0.7,
                                                        rng.normal(90, 15, vis.height))]
    vis.select("stay_id", "hr", "vis", heart_rate_bpm=pl.Series(heart, dtype=pl.Float64)).write_parquet(
        folder / "hourly_measurements.parquet")
    (folder / "vis_hourly.parquet").unlink()
    pl.DataFrame({"mart": "hourly_measurements", "channel": ["heart_rate_bpm", "vis"], "channel_order": [1, 2],
                  "fill_policy": ["locf_then_train_median", "zero"], "observation_mask": [True, False]}
                 ).write_parquet(folder / "series_channels.parquet")
    pl.DataFrame({"target": ["hospital_mortality", "sofa_first_day", "oasis", "icu_mortality"],
                  "mart": ["cohort", "severity_scores", "severity_scores", "cohort"],
                  "kind": ["binary", "regression", "regression", "binary"],
                  "role": ["primary", "auxiliary", "auxiliary", "alternative"],
                  "static_input": [False, True, True, False]}).write_parquet(folder / "model_targets.parquet")
    return folder


def test_series_mart_channels_and_targets_come_from_the_metadata(fixture_marts, tmp_path):
    folder = _p12_like(tmp_path / "p12", fixture_marts)
    cfg = Config()
    resolved, changes = resolve_targets(cfg.data, folder)
    assert changes == ["label_column=hospital_mortality", "score_columns=sofa_first_day,oasis"]
    assert cfg.data.label_column == "icu_mortality"  # the given config is not changed
    cfg = cfg.model_copy(update={"data": resolved})
    data = load_marts(folder, [cfg.data.label_column], cfg.data.score_columns, group_column="first_careunit")
    assert data.series_file == "hourly_measurements.parquet" and data.channels == ["heart_rate_bpm", "vis"]
    assert data.fill_policy == ["locf_then_train_median", "zero"]
    assert data.transform == ["zscore", "log1p_zscore"]  # no transform column: decided by fill_policy
    assert data.observation_mask == [True, False] and np.isnan(data.series[..., 0]).any()
    assert set(data.groups) == {"MICU", "SICU", "CVICU"}
    # an explicit config wins over the metadata
    explicit = load_config(None, ["data.label_column=mortality_28d", "data.score_columns=lods"])
    assert resolve_targets(explicit.data, folder)[1] == []
    assert (explicit.data.label_column, explicit.data.score_columns) == ("mortality_28d", ["lods"])
    # NULL is legal in a locf channel, never in a zero-filled one
    hourly = pl.read_parquet(folder / "hourly_measurements.parquet")
    hourly.with_columns(vis=pl.when(pl.col("hr") == 3).then(None).otherwise(pl.col("vis"))).write_parquet(
        folder / "hourly_measurements.parquet")
    with pytest.raises(MartError, match=r"hourly_measurements\.parquet: column vis has \d+ null/NaN"):
        load_marts(folder, [cfg.data.label_column], cfg.data.score_columns)


def test_bad_metadata_is_a_one_line_error(fixture_marts, tmp_path):
    folder = _p12_like(tmp_path / "bad", fixture_marts)
    pl.read_parquet(folder / "series_channels.parquet").with_columns(fill_policy=pl.lit("mean")).write_parquet(
        folder / "series_channels.parquet")
    with pytest.raises(MartError, match=r"series_channels\.parquet: column fill_policy must be one of"):
        load_marts(folder, ["hospital_mortality"], [])


def test_mimic_tensors_are_unchanged_by_the_metadata_path(fixture_marts, tmp_path):
    with_meta = write_metadata(_copy(fixture_marts, tmp_path / "with_meta"))
    cfg_meta, cfg_plain = Config(), load_config(None, ["data.use_metadata=false"])
    assert resolve_targets(cfg_meta.data, with_meta)[1] == []  # MIMIC: the defaults are the metadata's
    assert cfg_meta.data.score_columns == cfg_plain.data.score_columns
    device = torch.device("cpu")
    preps = []
    for cfg in (cfg_meta, cfg_plain):
        data = load_marts(with_meta, [cfg.data.label_column], cfg.data.score_columns,
                          use_metadata=cfg.data.use_metadata)
        preps.append(prepare(data, cfg, 0, device))
    meta, plain = preps
    for split in ("train", "val", "test"):
        assert torch.equal(meta.splits[split].series, plain.splits[split].series)
        assert torch.equal(meta.splits[split].static, plain.splits[split].static)
    assert meta.preprocessor.channel_mean == plain.preprocessor.channel_mean
    assert meta.preprocessor.output_channels == plain.preprocessor.channels


# splits and baselines ----------------------------------------------------------------------------


def test_holdout_split_tests_on_the_held_out_set_only():
    rng = np.random.default_rng(1)
    n = 400
    sets = np.where(np.arange(n) < 250, "a", "b")
    labels = (rng.uniform(size=n) < 0.2).astype(float)
    subjects = np.arange(n) + 100
    rows = split_holdout(subjects, labels, sets, ["b"], seed=0, val_fraction=0.1, column="set_name")
    assert set(sets[rows["test"]]) == {"b"} and len(rows["test"]) == 150
    assert set(sets[rows["train"]]) == set(sets[rows["val"]]) == {"a"}
    assert len(rows["val"]) == 25 and len(rows["train"]) == 225
    assert not set(rows["train"]) & set(rows["val"])
    with pytest.raises(MartError, match="set_name has no stay with a holdout value"):
        split_holdout(subjects, labels, sets, ["c"], seed=0, val_fraction=0.1, column="set_name")
    with pytest.raises(ValueError, match="holdout_column and split.holdout_values must be set together"):
        load_config(None, ["split.holdout_column=set_name"])


def test_summary_features_on_hand_made_series():
    x = np.array([[[NAN, 0.0], [3.0, 1.0], [1.0, 0.0], [NAN, 5.0]]], dtype=np.float32)
    features, names = summary_features(x, ["hr", "dose"])
    assert names[:5] == ["hr__min", "hr__max", "hr__mean", "hr__last", "hr__count"]
    np.testing.assert_allclose(features[0], [1, 3, 2, 1, 2, 0, 5, 1.5, 5, 4])
    never, _ = summary_features(np.full((1, 3, 1), NAN, np.float32), ["x"])
    assert np.isnan(never[0, :4]).all() and never[0, 4] == 0


def test_gbm_summary_baseline_learns_the_fixture(fixture_marts):
    cfg = Config()
    data = load_marts(fixture_marts, [cfg.data.label_column], cfg.data.score_columns)
    prep = prepare(data, cfg, 0, torch.device("cpu"))
    assert prep.summary_x.shape == (300, 5 * 7 + prep.static_x.shape[1])
    result = SeedResult(0)
    result.add_fitted("gbm_summary", fit_gradient_boosting(prep.summary_x, prep, 0), prep.summary_x, prep)
    test = prep.splits["test"].label
    assert roc_auc_score(test, result.probabilities["gbm_summary"]["test"]) > 0.65
    # the labels are learnable from the series: shuffled labels are not
    shuffled = SeedResult(0)
    prep.splits["train"].label = np.random.default_rng(0).permutation(prep.splits["train"].label)
    shuffled.add_fitted("gbm_summary", fit_gradient_boosting(prep.summary_x, prep, 0), prep.summary_x, prep)
    assert roc_auc_score(test, shuffled.probabilities["gbm_summary"]["test"]) < \
        roc_auc_score(test, result.probabilities["gbm_summary"]["test"])
