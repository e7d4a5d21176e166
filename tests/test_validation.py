"""Validation schemes keep patients disjoint, test where they say, and skip unscorable folds with a reason."""
import numpy as np
import pytest

from models_py.validation import make_folds, parse_scheme, summarize_folds


def _cohort(n=400, seed=0):
    rng = np.random.default_rng(seed)
    subjects = rng.integers(0, n // 2, size=n)  # some patients have several stays
    labels = (rng.random(n) < 0.25).astype(int)
    unit = rng.choice(["MICU", "SICU", "CCU", "TSICU"], size=n)
    unit[:6] = "NEURO"  # a group too small to test on
    years = rng.choice(["2008 - 2010", "2011 - 2013", "2014 - 2016", "2017 - 2019"], size=n)
    return subjects, labels, unit, years


def _assert_disjoint(fold, subjects):
    sides = [set(subjects[fold.rows[s]].tolist()) for s in ("train", "val", "test")]
    assert not (sides[0] & sides[1] or sides[0] & sides[2] or sides[1] & sides[2])
    for side in ("val", "test"):
        assert 0 < fold.rows[side].size


@pytest.mark.parametrize("text,kind", [("split", "split"), ("kfold:5", "kfold"), ("group:first_careunit", "group"),
                                       ("temporal:anchor_year_group", "temporal")])
def test_parse(text, kind):
    assert parse_scheme(text).kind == kind and str(parse_scheme(text)) == text


@pytest.mark.parametrize("text", ["kfold", "kfold:1", "group", "loo:x", "split:3"])
def test_parse_refuses(text):
    with pytest.raises(ValueError, match="expected split, kfold:K"):
        parse_scheme(text)


def test_kfold_tests_every_patient_once_and_keeps_patients_disjoint():
    subjects, labels, _, _ = _cohort()
    folds, skipped = make_folds(parse_scheme("kfold:5"), subjects, labels, seed=1)
    assert len(folds) == 5 and not skipped
    tested = np.concatenate([f.rows["test"] for f in folds])
    assert np.array_equal(np.sort(tested), np.arange(labels.size))
    for fold in folds:
        _assert_disjoint(fold, subjects)
        rate = labels[fold.rows["test"]].mean()
        assert abs(rate - labels.mean()) < 0.08  # stratified


def test_leave_one_group_out_skips_small_groups_with_a_reason():
    subjects, labels, unit, _ = _cohort()
    folds, skipped = make_folds(parse_scheme("group:first_careunit"), subjects, labels, seed=0, groups=unit)
    assert [f.name for f in folds] == [f"first_careunit={u}" for u in ("CCU", "MICU", "SICU", "TSICU")]
    assert [s.name for s in skipped] == ["first_careunit=NEURO"]
    assert "fewer than 10" in skipped[0].reason
    for fold in folds:
        _assert_disjoint(fold, subjects)
        assert set(unit[fold.rows["test"]]) == {fold.name.split("=")[1]}


def test_one_class_group_is_skipped():
    subjects, labels, unit, _ = _cohort()
    labels[unit == "CCU"] = 0
    _, skipped = make_folds(parse_scheme("group:unit"), subjects, labels, seed=0, groups=unit)
    assert any(s.name == "unit=CCU" and "one class" in s.reason for s in skipped)


def test_temporal_tests_only_on_the_latest_group():
    subjects, labels, _, years = _cohort()
    folds, _ = make_folds(parse_scheme("temporal:anchor_year_group"), subjects, labels, seed=0, groups=years)
    assert len(folds) == 1
    fold = folds[0]
    assert set(years[fold.rows["test"]]) == {"2017 - 2019"}
    assert "2017 - 2019" not in set(years[np.concatenate([fold.rows["train"], fold.rows["val"]])])
    _assert_disjoint(fold, subjects)


def test_summary_over_folds():
    summary = summarize_folds({"a": {"auroc": 0.7}, "b": {"auroc": 0.8}, "c": {"auroc": float("nan")}})
    assert summary["auroc"]["mean"] == pytest.approx(0.75)
    assert summary["auroc"]["sd"] == pytest.approx(np.std([0.7, 0.8], ddof=1))
    assert summary["auroc"]["n_folds"] == 2
