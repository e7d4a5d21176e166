"""Checkpoints run no code when loaded, and a damaged, truncated or swapped one is refused naming it.

Each case damages a copy of the small run (conftest.small_run) and runs pipelines/predict.py on it.
"""
from __future__ import annotations

import io
import json
import pickle
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from conftest import REPO, copy_run
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from models_py import checkpoints

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipelines import predict as predict_cli  # noqa: E402

PREDICT = [sys.executable, str(REPO / "pipelines" / "predict.py")]


class Payload:
    """Unpickling this creates `marker`: a stand-in for any code a crafted pickle runs."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def rewrite_manifest(run_dir):
    """What an attacker who controls the whole run directory does: the manifest matches the new files."""
    files = json.loads((run_dir / checkpoints.MANIFEST).read_text())["files"]
    checkpoints.write_manifest(run_dir, list(files))


@pytest.mark.slow
@pytest.mark.parametrize("container", ["pickle", "torch_save"])
def test_a_pickle_payload_checkpoint_runs_no_code(small_run, tmp_path, container):
    run_dir = copy_run(small_run[0], tmp_path / "run")
    marker, control = tmp_path / "payload_ran", tmp_path / "control_ran"
    target = run_dir / "checkpoints" / "full.safetensors"
    if container == "pickle":
        target.write_bytes(pickle.dumps(Payload(marker)))
        live = pickle.dumps(Payload(control))
    else:  # the zip torch.save writes (what full.pt used to be)
        torch.save(Payload(marker), target)
        buffer = io.BytesIO()
        torch.save(Payload(control), buffer)
        with zipfile.ZipFile(buffer) as archive:
            live = archive.read(next(n for n in archive.namelist() if n.endswith("data.pkl")))
    rewrite_manifest(run_dir)
    out = tmp_path / "preds.csv"
    proc = subprocess.run([*PREDICT, "--run", str(run_dir), "--output", str(out), "--model", "full"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{target}: not a safetensors checkpoint" in lines[0], proc.stderr
    assert not marker.exists() and not out.exists()
    # the payload is live: unpickled, it does run (so the assertion above can fail)
    pickle.Unpickler(io.BytesIO(live)).load()
    assert control.exists()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "bit_flipped", "teacher_over_student", "deleted"])
def test_a_damaged_checkpoint_is_refused_naming_the_file(small_run, tmp_path, capsys, damage):
    run_dir = copy_run(small_run[0], tmp_path / "run")
    target = run_dir / "checkpoints" / "full.safetensors"
    data = bytearray(target.read_bytes())
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "bit_flipped":
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
    elif damage == "teacher_over_student":
        target.write_bytes((run_dir / "checkpoints" / "teacher_probe.safetensors").read_bytes())
    else:
        target.unlink()
    out = tmp_path / "preds.csv"
    assert predict_cli.main(["--run", str(run_dir), "--output", str(out), "--model", "full"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    expected = {"truncated": "truncated or replaced", "bit_flipped": "sha256 differs",
                "teacher_over_student": "replaced", "deleted": "missing"}[damage]
    assert len(lines) == 1 and lines[0].startswith(f"predict: error: {target}: ") and expected in lines[0], lines
    assert not out.exists()


@pytest.mark.slow
def test_a_swapped_checkpoint_with_a_matching_manifest_is_still_refused(small_run, tmp_path, capsys):
    run_dir = copy_run(small_run[0], tmp_path / "run")
    target = run_dir / "checkpoints" / "full.safetensors"
    target.write_bytes((run_dir / "checkpoints" / "teacher_probe.safetensors").read_bytes())
    rewrite_manifest(run_dir)
    assert predict_cli.main(["--run", str(run_dir), "--output", str(tmp_path / "p.csv"), "--model", "full"]) == 2
    error = capsys.readouterr().err.strip()
    assert f"{target}: holds model 'teacher_probe', expected 'full'" in error


@pytest.mark.slow
def test_a_changed_config_or_a_run_without_manifest_is_refused(small_run, tmp_path, capsys):
    run_dir = copy_run(small_run[0], tmp_path / "run")
    config = json.loads((run_dir / "config.json").read_text())
    config["thresholds"]["full"] = 0.0  # every stay positive
    (run_dir / "config.json").write_text(json.dumps(config, indent=2))
    assert predict_cli.main(["--run", str(run_dir), "--output", str(tmp_path / "p.csv"), "--model", "full"]) == 2
    assert f"{run_dir / 'config.json'}: " in capsys.readouterr().err
    (run_dir / "manifest.json").unlink()
    assert predict_cli.main(["--run", str(run_dir), "--output", str(tmp_path / "p.csv"), "--model", "full"]) == 2
    assert f"{run_dir / 'manifest.json'}: not found" in capsys.readouterr().err


def test_gradient_boosting_export_reproduces_scikit_learn(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 6))
    x[rng.uniform(size=x.shape) < 0.15] = np.nan
    x[:300, 5], x[300:, 5] = np.nan, 1.0  # informative only by being missing: splits of missing vs present
    y = ((np.nan_to_num(x[:, 0]) + np.isnan(x[:, 5]) + rng.normal(0, 0.5, 600)) > 0.5).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=60, max_leaf_nodes=15, random_state=0).fit(x, y)
    assert any(np.isinf(p[0].nodes["num_threshold"]).any() for p in clf._predictors)  # threshold +inf
    path = tmp_path / "gbm.safetensors"
    checkpoints.save_gradient_boosting(path, "gbm", clf, checkpoints.SUMMARY_INPUTS, x)
    loaded = checkpoints.load(path, "gbm")
    fresh = rng.normal(size=(300, 6))
    fresh[rng.uniform(size=fresh.shape) < 0.3] = np.nan
    np.testing.assert_allclose(loaded.model.predict_proba(fresh), clf.predict_proba(fresh)[:, 1], rtol=0, atol=1e-12)
    assert loaded.kind == "gradient_boosting" and loaded.inputs == checkpoints.SUMMARY_INPUTS

    logistic = LogisticRegression().fit(np.nan_to_num(x), y)
    checkpoints.save_logistic(tmp_path / "lr.safetensors", "lr", logistic, checkpoints.STATIC_INPUTS)
    loaded = checkpoints.load(tmp_path / "lr.safetensors", "lr").model
    np.testing.assert_allclose(loaded.predict_proba(np.nan_to_num(fresh)),
                               logistic.predict_proba(np.nan_to_num(fresh))[:, 1], rtol=0, atol=1e-12)


def test_no_code_executing_loader_in_the_code():
    """The pre-stop hook's rule, checked by the suite too: no pickle/joblib/torch-pickle loading."""
    forbidden = re.compile("weights_only" + r"\s*=\s*False|pickle\.load|joblib\.load|torch\.load\(|cloudpickle")
    offenders = []
    for folder in ("models_py", "pipelines", "physionet2012", "synthmimic", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            offenders += [f"{path.relative_to(REPO)}:{n}" for n, line in enumerate(path.read_text().splitlines(), 1)
                          if forbidden.search(line)]
    assert offenders == []
