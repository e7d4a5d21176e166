"""Checkpoints that run no code when loaded, and the run's manifest of their sha256.

Every fitted model of a run is one `checkpoints/<model>.safetensors`: arrays plus a JSON entry
`vistrend` in the file's header saying what the model is and how to rebuild it. A safetensors file is
a JSON header followed by raw little-endian arrays: loading parses it, nothing is unpickled, so a
crafted file cannot run code (pickle, torch.load and joblib are never used).

- torch networks (students, teachers, LSTM): the state_dict + the architecture (kind, sizes, model
  config, tasks).
- logistic regressions (`logreg`, `score_<name>`): coefficients and intercept.
- `logreg_summary`: training medians, missing-indicator columns, mean, sd, coefficients, intercept.
- `gbm_summary`: the trees of scikit-learn's HistGradientBoostingClassifier as flat node arrays and
  the baseline score, predicted here in numpy; when saved, the export is checked against
  scikit-learn's own probabilities on the training rows.

`manifest.json` at the run's root holds the sha256 and size of config.json and of every file in
checkpoints/; `verify_manifest` refuses a missing, truncated, changed or swapped file, naming it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = 1
HEADER_KEY = "vistrend"
SUFFIX = ".safetensors"
MANIFEST = "manifest.json"
# inputs a tabular model reads (models_py.predict builds them from the marts and preprocess.json)
STATIC_INPUTS = "static_features"      # preprocessed static features + scores (Preprocessor.transform_static)
SUMMARY_INPUTS = "summary_statistics"  # per-channel min, max, mean, last, count + the static features
SCORE_INPUT = "score"                  # one raw severity score, missing -> its training median
_CHUNK_ROWS = 4096                     # rows per tree-walk chunk (bounds memory to a few MB per tree array)


class CheckpointError(ValueError):
    """A checkpoint or manifest that cannot be trusted or read; the message names the file."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _atomic_write(path: Path, write) -> None:
    """write(tmp_path) into a temp sibling, then rename: a failed save leaves no half file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a run is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _header(name: str, kind: str, **fields) -> dict[str, str]:
    return {HEADER_KEY: json.dumps({"format": FORMAT, "model": name, "kind": kind, **fields})}


# saving -----------------------------------------------------------------------------------------


def save_network(path: Path, name: str, net, architecture: dict) -> None:
    """A torch network: its state_dict (contiguous CPU tensors) + what rebuilds it (`architecture`)."""
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    _atomic_write(path, lambda tmp: save_file(tensors, tmp, metadata=_header(name, "network", **architecture)))


def _save_arrays(path: Path, name: str, kind: str, arrays: dict[str, np.ndarray], **fields) -> None:
    from safetensors.numpy import save_file

    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    _atomic_write(path, lambda tmp: save_file(arrays, tmp, metadata=_header(name, kind, **fields)))


def save_logistic(path: Path, name: str, clf, inputs: str, score: str | None = None) -> None:
    """A fitted binary LogisticRegression: P(1) = sigmoid(x . coef + intercept)."""
    _check_binary(clf, name)
    _save_arrays(path, name, "logistic", {"coef": np.asarray(clf.coef_, np.float64).reshape(-1),
                                          "intercept": np.asarray(clf.intercept_, np.float64).reshape(-1)},
                 inputs=inputs, score=score)


def save_summary_logistic(path: Path, name: str, median: np.ndarray, sometimes_missing: np.ndarray,
                          mean: np.ndarray, std: np.ndarray, clf, inputs: str) -> None:
    """Median imputation + missing indicators + z-scoring, then a binary LogisticRegression."""
    _check_binary(clf, name)
    _save_arrays(path, name, "summary_logistic", {
        "median": np.asarray(median, np.float64), "sometimes_missing": np.asarray(sometimes_missing, np.uint8),
        "mean": np.asarray(mean, np.float64), "std": np.asarray(std, np.float64),
        "coef": np.asarray(clf.coef_, np.float64).reshape(-1),
        "intercept": np.asarray(clf.intercept_, np.float64).reshape(-1)}, inputs=inputs)


def save_gradient_boosting(path: Path, name: str, clf, inputs: str, check_x: np.ndarray) -> None:
    """A fitted binary HistGradientBoostingClassifier on numeric features, as flat node arrays.

    Reads scikit-learn's fitted trees (`_predictors`, `_baseline_prediction`: private, stable since
    1.0); the exported model must reproduce clf.predict_proba on `check_x`, else nothing is saved.
    """
    _check_binary(clf, name)
    if clf.n_trees_per_iteration_ != 1:
        raise CheckpointError(f"{name}: expected one tree per boosting iteration (binary), got "
                              f"{clf.n_trees_per_iteration_}")
    trees = [iteration[0].nodes for iteration in clf._predictors]
    if any(t["is_categorical"].any() for t in trees):
        raise CheckpointError(f"{name}: categorical splits are not exported (the features are numeric)")
    starts = np.cumsum([0] + [len(t) for t in trees])[:-1].astype(np.int64)
    nodes = np.concatenate(trees) if trees else np.zeros(0, dtype=clf._predictors[0][0].nodes.dtype)
    offset = np.repeat(starts, [len(t) for t in trees])
    arrays = {
        "tree_start": starts,
        "feature": nodes["feature_idx"].astype(np.int64),
        "threshold": nodes["num_threshold"].astype(np.float64),  # +inf: a split of missing vs present
        "missing_left": nodes["missing_go_to_left"].astype(np.uint8),
        "left": nodes["left"].astype(np.int64) + offset,
        "right": nodes["right"].astype(np.int64) + offset,
        "is_leaf": nodes["is_leaf"].astype(np.uint8),
        "value": nodes["value"].astype(np.float64),
        "baseline": np.asarray(clf._baseline_prediction, np.float64).reshape(-1),
    }
    exported = TreeEnsemble(arrays).predict_proba(check_x)
    expected = clf.predict_proba(check_x)[:, 1]
    if not np.allclose(exported, expected, rtol=0, atol=1e-9):
        raise CheckpointError(f"{name}: exported trees differ from scikit-learn's prediction by up to "
                              f"{np.max(np.abs(exported - expected)):.2e} (an unsupported scikit-learn version?)")
    _save_arrays(path, name, "gradient_boosting", arrays, inputs=inputs)


def _check_binary(clf, name: str) -> None:
    classes = [int(c) for c in getattr(clf, "classes_", [])]
    if classes != [0, 1]:
        raise CheckpointError(f"{name}: expected a binary model with classes [0, 1], got {classes}")


# the tabular models, rebuilt in numpy -------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class Logistic:
    coef: np.ndarray
    intercept: float

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(np.asarray(x, np.float64) @ self.coef + self.intercept)


@dataclass
class SummaryLogistic:
    median: np.ndarray
    sometimes_missing: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    logistic: Logistic

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64)
        missing = np.isnan(x[:, self.sometimes_missing])
        filled = np.where(np.isnan(x), self.median, x)
        return self.logistic.predict_proba(np.concatenate([(filled - self.mean) / self.std, missing], axis=1))


class TreeEnsemble:
    """Sum of regression trees + baseline -> sigmoid. A row goes left when its value <= threshold, or,
    when the value is missing (NaN), where the split sent the training rows with missing values."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.a = {k: np.asarray(v) for k, v in arrays.items()}

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, np.float64)
        out = np.empty(len(x))
        for start in range(0, len(x), _CHUNK_ROWS):
            out[start:start + _CHUNK_ROWS] = self._raw(x[start:start + _CHUNK_ROWS])
        return _sigmoid(out)

    def _raw(self, x: np.ndarray) -> np.ndarray:
        a = self.a
        node = np.broadcast_to(a["tree_start"], (len(x), len(a["tree_start"]))).copy()
        rows = np.arange(len(x))[:, None]
        is_leaf = a["is_leaf"].astype(bool)
        for _ in range(len(is_leaf) + 1):  # a path is never longer than the node count (a damaged file ends too)
            if is_leaf[node].all():
                break
            value = x[rows, a["feature"][node]]
            left = np.where(np.isnan(value), a["missing_left"][node].astype(bool), value <= a["threshold"][node])
            node = np.where(is_leaf[node], node, np.where(left, a["left"][node], a["right"][node]))
        return a["baseline"][0] + a["value"][node].sum(axis=1)


# loading ----------------------------------------------------------------------------------------


@dataclass
class Checkpoint:
    name: str
    kind: str              # network | logistic | summary_logistic | gradient_boosting
    header: dict
    model: object          # an nn.Module in eval mode, or a numpy model with predict_proba(x) -> (n,)

    @property
    def inputs(self) -> str:
        return self.header.get("inputs", "")


def read_header(path: Path) -> dict:
    """The `vistrend` header entry of a checkpoint (parsed as JSON, never executed)."""
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as handle:
            metadata = handle.metadata() or {}
    except Exception as exc:  # safetensors raises its own error type for a file it cannot parse
        raise CheckpointError(f"{path}: not a safetensors checkpoint ({' '.join(str(exc).split())[:120]})") from None
    try:
        header = json.loads(metadata[HEADER_KEY])
    except (KeyError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: no valid '{HEADER_KEY}' entry in the safetensors header "
                              "(not written by pipelines/train.py)") from None
    if header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: checkpoint format {header.get('format')!r}, this code reads {FORMAT}")
    return header


def load(path: str | Path, name: str) -> Checkpoint:
    """Rebuild model `name` from its checkpoint; the file must say it holds that model."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    header = read_header(path)
    if header.get("model") != name:
        raise CheckpointError(f"{path}: holds model {header.get('model')!r}, expected {name!r} (a swapped file?)")
    kind = header.get("kind")
    if kind == "network":
        return Checkpoint(name, kind, header, _load_network(path, header))
    from safetensors.numpy import load_file

    try:
        arrays = load_file(str(path))
    except Exception as exc:
        raise CheckpointError(f"{path}: unreadable arrays ({' '.join(str(exc).split())[:120]})") from None
    try:
        if kind == "logistic":
            model = Logistic(arrays["coef"], float(arrays["intercept"][0]))
        elif kind == "summary_logistic":
            model = SummaryLogistic(arrays["median"], arrays["sometimes_missing"].astype(bool), arrays["mean"],
                                    arrays["std"], Logistic(arrays["coef"], float(arrays["intercept"][0])))
        elif kind == "gradient_boosting":
            model = TreeEnsemble(arrays)
            _check_trees(model.a, path)
        else:
            raise CheckpointError(f"{path}: unknown checkpoint kind {kind!r}")
    except KeyError as missing:
        raise CheckpointError(f"{path}: array {missing} missing for a {kind} checkpoint") from None
    return Checkpoint(name, kind, header, model)


def _check_trees(a: dict[str, np.ndarray], path: Path) -> None:
    """Child indices inside the node arrays, so a damaged file fails here, not as an IndexError later."""
    n = len(a["value"])
    inner = ~a["is_leaf"].astype(bool)
    for field in ("left", "right"):
        if inner.any() and (a[field][inner].min() < 0 or a[field][inner].max() >= n):
            raise CheckpointError(f"{path}: tree node index out of range in '{field}'")
    if len(a["tree_start"]) and (a["tree_start"].min() < 0 or a["tree_start"].max() >= n):
        raise CheckpointError(f"{path}: tree start out of range")


def _load_network(path: Path, header: dict):
    from .config import config_from_dict

    try:
        return _build_network(header, config_from_dict({"model": header["model_config"]}).model, path)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"{path}: network header incomplete or invalid ({type(exc).__name__}: {exc})") from None


def _build_network(header: dict, model_cfg, path: Path):
    from .models import LSTMBaseline, MultitaskModel, SeriesEncoder
    from .tasks import Task

    if header["architecture"] == "lstm":
        net = LSTMBaseline(n_channels=header["n_channels"], n_static=header["n_static"], cfg=model_cfg,
                           task_name=header["label_column"])
    elif header["architecture"] == "multitask":
        tasks = [Task(t["name"], t["kind"], tuple(t["columns"]), t["weight"], t["n_classes"],
                      t.get("role", "auxiliary"), t.get("inputs", "both"), tuple(t.get("classes", ())))
                 for t in header["tasks"]]
        encoder = SeriesEncoder(n_channels=header["n_channels"], n_steps=header["n_steps"], cfg=model_cfg)
        net = MultitaskModel(encoder=encoder, n_static=header["n_static"], score_indices=header["score_indices"],
                             tasks=tasks, cfg=model_cfg)
    else:
        raise CheckpointError(f"{path}: unknown network architecture {header['architecture']!r}")
    from safetensors.torch import load_file

    try:
        net.load_state_dict(load_file(str(path)))
    except Exception as exc:  # wrong or missing tensors
        raise CheckpointError(f"{path}: weights do not fit the recorded architecture "
                              f"({' '.join(str(exc).split())[:160]})") from None
    return net.eval()


def network_architecture(net, name: str, n_steps: int, n_channels: int, n_static: int,
                         score_indices: list[int], label_column: str, model_config) -> dict:
    """What `_load_network` needs to rebuild `net` (JSON-able)."""
    from .models import LSTMBaseline

    return {"architecture": "lstm" if isinstance(net, LSTMBaseline) else "multitask",
            "n_channels": int(n_channels), "n_steps": int(n_steps), "n_static": int(n_static),
            "score_indices": [int(i) for i in score_indices], "label_column": label_column,
            "tasks": [dataclasses.asdict(t) for t in getattr(net, "tasks", [])],
            "model_config": model_config.model_dump()}


# the manifest -----------------------------------------------------------------------------------


def write_manifest(run_dir: str | Path, files: list[str]) -> Path:
    """manifest.json: sha256 and size of each file (paths relative to the run directory)."""
    run_dir = Path(run_dir)
    entries = {rel: {"sha256": _sha256(run_dir / rel), "bytes": (run_dir / rel).stat().st_size}
               for rel in sorted(files)}
    path = run_dir / MANIFEST
    _atomic_write(path, lambda tmp: Path(tmp).write_text(json.dumps({"format": FORMAT, "files": entries}, indent=2)))
    return path


def verify_manifest(run_dir: str | Path) -> dict[str, dict]:
    """Every file listed in the run's manifest.json is present with its recorded size and sha256."""
    run_dir = Path(run_dir)
    path = run_dir / MANIFEST
    if not path.is_file():
        raise CheckpointError(f"{path}: not found (a run written before checkpoints were verified, or not a run "
                              "directory); retrain with pipelines/train.py")
    try:
        files = json.loads(path.read_text())["files"]
        entries = {str(rel): (str(e["sha256"]), int(e["bytes"])) for rel, e in files.items()}
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise CheckpointError(f"{path}: not a valid run manifest") from None
    for rel, (sha256, size) in entries.items():
        target = run_dir / rel
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise CheckpointError(f"{path}: entry {rel!r} points outside the run directory")
        if not target.is_file():
            raise CheckpointError(f"{target}: missing (listed in the run's {MANIFEST})")
        actual = target.stat().st_size
        if actual != size:
            raise CheckpointError(f"{target}: {actual} bytes, the run's {MANIFEST} says {size} "
                                  "(truncated or replaced since training)")
        if _sha256(target) != sha256:
            raise CheckpointError(f"{target}: sha256 differs from the run's {MANIFEST} "
                                  "(changed or replaced by another file since training)")
    return files
