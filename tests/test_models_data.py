"""Reading, validating, splitting and preprocessing the marts."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from models_py.config import Config
from models_py.data import MartError, load_marts
from models_py.preprocess import UNKNOWN, Preprocessor
from models_py.splits import split_by_patient
from models_py.synthetic_marts import write_marts

SCORES = Config().data.score_columns


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    return write_marts(tmp_path_factory.mktemp("marts"), n_stays=200, seed=3)


def load(folder):
    return load_marts(folder, ["icu_mortality"], SCORES)


def copy_marts(src, dst):
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.parquet"):
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


def test_channels_static_and_targets_come_from_the_files(marts, tmp_path):
    data = load(marts)
    assert data.series.shape == (200, 48, 7) and data.series.dtype == np.float32
    assert data.channels[-1] == "vis" and "norepinephrine_mcg_kg_min" in data.channels
    assert data.static_columns == ["gender", "age", "insurance", "marital_status", "race"]
    # an eighth channel and an extra static column are picked up without code changes
    folder = copy_marts(marts, tmp_path / "wider")
    vis = pl.read_parquet(folder / "vis_hourly.parquet")
    vis.with_columns(nee_mcg_kg_min=pl.col("norepinephrine_mcg_kg_min") * 1.0).write_parquet(
        folder / "vis_hourly.parquet")
    static = pl.read_parquet(folder / "static_features.parquet")
    static.with_columns(weight_kg=pl.lit(80.0)).write_parquet(folder / "static_features.parquet")
    wider = load(folder)
    assert wider.series.shape == (200, 48, 8) and "weight_kg" in wider.static_columns


def test_series_rows_follow_stay_and_hour(marts):
    data = load(marts)
    vis = pl.read_parquet(marts / "vis_hourly.parquet")
    stay = int(data.stay_ids[17])
    rows = vis.filter(pl.col("stay_id") == stay).sort("hr")
    np.testing.assert_allclose(data.series[17, :, data.channels.index("vis")], rows["vis"].to_numpy(), rtol=1e-6)


def test_split_is_by_patient_stratified_and_seeded(marts):
    data = load(marts)
    label = data.labels["icu_mortality"]
    subjects = data.subject_ids.copy()
    subjects[1::2] = subjects[0::2][: len(subjects[1::2])]  # every patient has two stays
    rows = split_by_patient(subjects, label, seed=0)
    assert sum(len(r) for r in rows.values()) == len(label)
    owners = {name: set(subjects[r]) for name, r in rows.items()}
    assert not owners["train"] & owners["val"] and not owners["train"] & owners["test"]
    assert not owners["val"] & owners["test"]
    n = len(set(subjects))
    assert len(owners["test"]) == pytest.approx(0.2 * n, abs=2) and len(owners["val"]) == pytest.approx(0.08 * n, abs=2)
    stratum = pl.DataFrame({"s": subjects, "y": label}).group_by("s").agg(pl.col("y").max())
    stratum = dict(zip(stratum["s"].to_list(), stratum["y"].to_list()))
    overall = np.mean(list(stratum.values()))
    for owners_of_split in owners.values():  # patient-level prevalence is preserved in every split
        assert abs(np.mean([stratum[s] for s in owners_of_split]) - overall) < 0.07
    again = split_by_patient(subjects, label, seed=0)
    other = split_by_patient(subjects, label, seed=1)
    assert all(np.array_equal(rows[k], again[k]) for k in rows)
    assert not np.array_equal(rows["test"], other["test"])


def test_preprocessing_is_fitted_on_training_rows_only(marts):
    data = load(marts)
    rows = split_by_patient(data.subject_ids, data.labels["icu_mortality"], seed=0)
    train = rows["train"]
    pre = Preprocessor.fit(data.series[train], data.static[train], data.channels, data.static_columns, SCORES)
    logged = np.log1p(data.series[train].astype(np.float64))
    np.testing.assert_allclose(pre.channel_mean, logged.mean(axis=(0, 1)), rtol=1e-9)
    np.testing.assert_allclose(pre.channel_std, logged.std(axis=(0, 1)), rtol=1e-9)
    all_logged = np.log1p(data.series.astype(np.float64))
    assert not np.allclose(pre.channel_mean, all_logged.mean(axis=(0, 1)), rtol=1e-6)  # test rows would shift it
    age = data.static["age"].to_numpy()[train]
    assert pre.continuous["age"]["median"] == pytest.approx(np.nanmedian(age))
    sofa = data.static["sofa_first_day"].to_numpy()[train].astype(float)
    assert pre.targets["sofa_first_day"]["mean"] == pytest.approx(sofa.mean())
    assert pre.scores["sofa_first_day"]["median"] == pytest.approx(np.median(sofa))
    x = pre.transform_static(data.static[train])
    np.testing.assert_allclose(x[:, pre.feature_names.index("sofa_first_day")].mean(), 0, atol=1e-5)
    n_features = len(pre.feature_names)
    assert pre.feature_names[-4:] == SCORES and pre.score_indices == list(range(n_features - 4, n_features))


def test_categoricals_unknown_level_missing_targets_and_json_round_trip(marts, tmp_path):
    data = load(marts)
    pre = Preprocessor.fit(data.series, data.static, data.channels, data.static_columns, SCORES)
    assert pre.categorical["insurance"][-1] == UNKNOWN
    new = data.static.head(3).with_columns(
        insurance=pl.Series(["Medicare", "Martian Mutual", None]),
        lods=pl.Series([None, 4, 5], dtype=pl.Int32),
    )
    x = pre.transform_static(new)
    names = pre.feature_names
    assert x[0, names.index("insurance=Medicare")] == 1
    assert x[1, names.index(f"insurance={UNKNOWN}")] == 1  # unseen level -> Unknown
    assert x[2, names.index(f"insurance={UNKNOWN}")] == 1  # null -> Unknown
    assert np.isfinite(x).all()  # a missing score input is median-imputed
    z, observed = pre.transform_targets(new)
    assert not observed[0, SCORES.index("lods")] and observed[1:, SCORES.index("lods")].all()  # never imputed as target
    back = pre.inverse_targets(z)
    assert back[1, SCORES.index("lods")] == pytest.approx(4.0)

    pre.to_json(tmp_path / "preprocess.json")
    again = Preprocessor.from_json(tmp_path / "preprocess.json")
    np.testing.assert_array_equal(again.transform_static(new), x)
    np.testing.assert_array_equal(again.transform_series(data.series[:2]), pre.transform_series(data.series[:2]))


# bad marts: one clear line naming the file and the column


def _rewrite(folder, name, fn):
    path = folder / name
    fn(pl.read_parquet(path)).write_parquet(path)


@pytest.mark.parametrize("breakage, message", [
    (lambda f: (f / "severity_scores.parquet").unlink(), r"severity_scores\.parquet: file missing"),
    (lambda f: _rewrite(f, "cohort.parquet", lambda d: d.drop("icu_mortality")),
     r"cohort\.parquet: missing column\(s\) \['icu_mortality'\]"),
    (lambda f: _rewrite(f, "severity_scores.parquet", lambda d: d.drop("oasis")),
     r"severity_scores\.parquet: missing column\(s\) \['oasis'\]"),
    (lambda f: _rewrite(f, "cohort.parquet", lambda d: d.clear()), r"cohort\.parquet: no rows \(empty cohort"),
    (lambda f: _rewrite(f, "vis_hourly.parquet", lambda d: d.with_columns(
        dopamine_mcg_kg_min=pl.when(pl.col("hr") == 3).then(float("nan")).otherwise(pl.col("dopamine_mcg_kg_min")))),
     r"vis_hourly\.parquet: column dopamine_mcg_kg_min has \d+ null/NaN"),
    (lambda f: _rewrite(f, "vis_hourly.parquet", lambda d: d.with_columns(
        vis=pl.when(pl.col("hr") == 3).then(-1.0).otherwise(pl.col("vis")))),
     r"vis_hourly\.parquet: column vis has negative"),
    (lambda f: _rewrite(f, "vis_hourly.parquet", lambda d: d.filter(pl.col("hr") != 47)),
     r"vis_hourly\.parquet: column hr must be 0\.\.47 once per stay; stay_id \d+ has 47 rows"),
    (lambda f: _rewrite(f, "vis_hourly.parquet", lambda d: d.with_columns(hr=pl.col("hr") + 1)),
     r"vis_hourly\.parquet: column hr must be 0\.\.47"),
    (lambda f: _rewrite(f, "static_features.parquet", lambda d: d.slice(1)),
     r"static_features\.parquet: 1 cohort stay\(s\) have no row"),
    (lambda f: _rewrite(f, "cohort.parquet", lambda d: d.with_columns(icu_mortality=pl.lit(2))),
     r"cohort\.parquet: column icu_mortality must be 0/1"),
    (lambda f: (f / "cohort.parquet").write_text("not parquet"), r"cohort\.parquet: not a readable Parquet file"),
])
def test_bad_marts_give_a_clear_error(marts, tmp_path, breakage, message):
    folder = copy_marts(marts, tmp_path / "bad")
    breakage(folder)
    with pytest.raises(MartError, match=message) as info:
        load(folder)
    assert "\n" not in str(info.value)


def test_a_split_with_one_class_is_a_clear_error(marts):
    data = load(marts)
    label = np.zeros(len(data))
    label[:2] = 1  # 2 positives among 200 patients: validation or test cannot hold both classes
    expected = r"cohort\.parquet: .*(split 'val' has only class 0|cannot split).*icu_mortality"
    with pytest.raises(MartError, match=expected):
        split_by_patient(data.subject_ids, label, seed=0, label_name="icu_mortality")
    with pytest.raises(MartError, match="icu_mortality"):
        split_by_patient(data.subject_ids, np.zeros(len(data)), seed=0, label_name="icu_mortality")


def test_the_run_fits_preprocessing_on_its_training_split_only(marts):
    import torch

    from models_py.dataset import prepare
    data = load(marts)
    prep = prepare(data, Config(), seed=0, device=torch.device("cpu"))
    train = prep.rows["train"]
    logged = np.log1p(data.series[train].astype(np.float64))
    np.testing.assert_allclose(prep.preprocessor.channel_mean, logged.mean(axis=(0, 1)), rtol=1e-9)
    oasis = data.static["oasis"].to_numpy()[train].astype(float)
    assert prep.preprocessor.targets["oasis"]["mean"] == pytest.approx(oasis.mean())
    # the training split's inputs are centred; the held-out splits' are not exactly
    assert abs(float(prep.splits["train"].series.mean())) < 1e-4
    assert abs(float(prep.splits["test"].series.mean())) > 1e-4
    assert set(prep.splits["test"].stay_ids).isdisjoint(prep.splits["train"].stay_ids)
