"""One typed configuration for a run, with the paper's values as defaults; it is also the command line.

Jin et al. (2025), "A Novel Multi-Task Teacher-Student Architecture with Self-Supervised Pretraining
for 48-Hour Vasoactive-Inotropic Trend Analysis in Sepsis Mortality Prediction", §3-§4.

Load order: defaults -> a JSON or TOML file (`load_config(path)`; a run's own config.json works too)
-> `key=value` overrides (`apply_overrides(cfg, ["student.lr=5e-4", "teacher.heads=untrained"])`).
Every section forbids unknown keys and checks types; a bad value is one line such as
"--set: config key 'student.epochs' expects int, got 'many'". `cli_config` turns the
same model into `pipelines/train.py`'s flags (models_py.config_cli).
"""
from __future__ import annotations

import json
import os
import tomllib
import typing
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_SCORES = ["sofa_first_day", "sapsii", "lods", "oasis"]
REPO = Path(__file__).resolve().parents[1]


def data_dir() -> Path:
    """$VISTREND_DATA_DIR, default <repo>/data: where marts, runs and the warehouse live."""
    return Path(os.environ.get("VISTREND_DATA_DIR", REPO / "data"))


class Section(BaseModel):
    # attribute docstrings are the field docs (--help shows them); unknown keys are an error
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class RunConfig(Section):
    marts: Path = Field(default_factory=lambda: data_dir() / "marts")
    """folder of the Parquet marts"""
    out: Path = Field(default_factory=lambda: data_dir() / "runs")
    """runs folder (a run_id folder is created in it, runs/latest points at the newest)"""
    warehouse: Path | None = None
    """DuckDB file to load the results into, skipped with a warning when absent; None: never (train.py's
    default: $VISTREND_DATA_DIR/warehouse.duckdb)"""
    ablations: bool = False
    """also train no_kd, no_mt, no_mae, lstm, logreg, the summary baselines and the score-alone models"""
    seeds: int = Field(1, ge=1)
    """repeat with seeds seed..seed+N-1 and report mean ± sd"""
    shap: bool = True
    """explain the full model's static features with SHAP (off: faster)"""
    variants: list[Literal["full_init_mae"]] = Field(default_factory=list)
    """extra students beside full: full_init_mae (the student's encoder starts from the MAE's weights, so the
    ablations can show what pretraining adds when it initialises the student)"""


class DataConfig(Section):
    label_column: str = "icu_mortality"
    """primary binary label, a column of cohort.parquet (0/1)"""
    score_columns: list[str] = Field(default_factory=lambda: list(DEFAULT_SCORES))
    """severity_scores.parquet columns: static inputs of the classification head and regression targets"""
    hours: int = 48
    """time steps per stay in vis_hourly.parquet (hr 0..hours-1)"""
    train_fraction: float = 0.72
    val_fraction: float = 0.08
    test_fraction: float = 0.20
    use_metadata: bool = True
    """read series_channels.parquet / model_targets.parquet when the marts have them: the series mart,
    channel order, per-channel fill policy, transform and observation masks, and (unless label_column /
    score_columns are changed from their defaults) the primary label and the auxiliary score targets"""
    leak_policy: Literal["paper", "mask", "complete_window"] = "complete_window"
    """hours of the window after ICU outtime (vis_hourly holds 0 there, and short windows are mostly deaths):
    complete_window (default) keeps only stays in the ICU for the whole window, a leak-free landmark cohort;
    mask makes those hours padding the models never see; paper keeps the paper's zeros (reproduction)"""
    time_since_observed: bool = False
    """also append, per observation-masked channel, the hours since its last observation (scaled /hours;
    1 + hr/hours before the first one)"""


class SplitConfig(Section):
    holdout_column: str = ""
    """a cohort.parquet column (e.g. set_name): rows whose value is in holdout_values are the test split,
    train/val is a stratified split of the rest; empty = a random stratified train/val/test split"""
    holdout_values: list[str] = Field(default_factory=list)
    """the holdout_column values that form the test split (e.g. b)"""
    validation: str = "split"
    """validation scheme besides the split above: split (none) | kfold:K | group:COLUMN |
    temporal:COLUMN (models_py.validation; the folds go to metrics.json "folds")"""

    @field_validator("validation")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if value != "split":
            from .validation import parse_scheme  # local: numpy and scikit-learn only when asked for

            try:
                parse_scheme(value)
            except ValueError as exc:
                raise ValueError(f"config split.validation: {exc}") from None
        return value


class ModelConfig(Section):
    d_model: int = 64
    ffn_dim: int = 256
    n_heads: int = 8
    n_layers: int = 2
    dropout: float = 0.1
    """Transformer dropout (residual and feed-forward paths)"""
    attention_dropout: float = 0.1
    """dropout on the attention weights (0.1 as in nn.TransformerEncoderLayer)"""
    head_dropout: float = 0.2
    head_hidden: int = 64
    """hidden width of the classification/regression heads (the paper's 'Multitask Decoder')"""
    positional: Literal["learned", "sinusoidal"] = "learned"
    """positional encoding over the 1 + hours tokens"""
    precision: Literal["fp32", "bf16"] = "fp32"
    """fp32 (the paper's numerics) | bf16: encoder layers under bfloat16 autocast, ~1/3 less CPU per step
    (opt-in; weights and outputs stay float32; docs/modeling.md ## Speed)"""
    lstm_hidden: int = 64
    """LSTM baseline hidden size"""


class MAEConfig(Section):
    mask_ratio: float = Field(0.05, gt=0, lt=1)
    """fraction of time steps masked per sample (at least one)"""
    epochs: int = 30
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64


class TeacherConfig(Section):
    heads: Literal["untrained", "probe"] = "probe"
    """heads on the frozen MAE encoder are random (paper §4.2) or trained on the labels (§3)"""
    epochs: int = 30
    """probe training epochs (early stopping on validation AUROC)"""
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    patience: int = 5


class StudentConfig(Section):
    epochs: int = 30
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    patience: int = 5
    """epochs without a better validation AUROC before stopping (best weights restored)"""
    init_from_mae: bool = False
    """start the student's encoder from the MAE weights (False: the paper's reading, the student
    inherits the teacher's representation only through distillation)"""


class LossConfig(Section):
    ce_weight: float = 1.0
    """weight of the primary classification task (class-weighted cross-entropy)"""
    mse_weight: float = 0.1
    """weight of the severity regression task (MSE on z-scored scores)"""
    kd_weight: float = 0.05
    """weight of ||softmax(z_S) - softmax(z_T)||^2"""


class TasksConfig(Section):
    auxiliary_labels: list[str] = Field(default_factory=list)
    """extra 0/1 cohort.parquet columns (e.g. hospital_mortality) trained as auxiliary binary tasks of the
    multitask models; stays whose label is missing are masked out of that task's loss"""
    auxiliary_weight: float = 0.1
    """loss weight of each auxiliary task"""


class EvalConfig(Section):
    bootstrap_resamples: int = 1000
    """resamples of the test split for the percentile 95 % CIs"""
    shap_stays: int = 500
    """test stays explained by SHAP"""
    shap_background: int = 100
    """training stays in the SHAP background"""
    recalibration: Literal["logistic", "isotonic"] = "logistic"
    """recalibration fitted on the validation split (models_py.calibration): logistic (Platt) or isotonic"""
    subgroup_columns: list[str] = Field(default_factory=lambda: [
        "gender", "age", "insurance", "race", "marital_status", "first_careunit", "icu_type"])
    """static_features / cohort columns reported by subgroup (those present; age in bands)"""
    saliency_stays: int = Field(0, ge=0)
    """test stays whose full-model prediction is explained hour by hour (integrated gradients; 0 = off;
    `make demo` explains 500)"""
    saliency_baseline: Literal["median", "zero"] = "median"
    """the IG baseline: the training median of each channel (no infusion for a dose) or 0 after scaling"""
    leak_check_retrain: bool = True
    """under leak_policy paper or mask, also retrain the full model on complete windows for the report's
    label leak check"""


class Config(Section):
    seed: int = 0
    """base seed (split, initialisation, batches, bootstrap)"""
    device: str = "auto"
    """auto (CUDA when present, else CPU) | cpu | cuda | cuda:N"""
    threads: int = 2
    """torch CPU threads"""
    run: RunConfig = Field(default_factory=RunConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    split: SplitConfig = Field(default_factory=SplitConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    mae: MAEConfig = Field(default_factory=MAEConfig)
    teacher: TeacherConfig = Field(default_factory=TeacherConfig)
    student: StudentConfig = Field(default_factory=StudentConfig)
    loss: LossConfig = Field(default_factory=LossConfig)
    tasks: TasksConfig = Field(default_factory=TasksConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        fractions = (self.data.train_fraction, self.data.val_fraction, self.data.test_fraction)
        if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) <= 0:
            raise ValueError(f"config data.*_fraction must be positive and sum to 1, got {fractions}")
        if self.model.d_model % self.model.n_heads:
            raise ValueError(f"config model.d_model ({self.model.d_model}) must be divisible by "
                             f"n_heads ({self.model.n_heads})")
        if self.data.label_column in self.tasks.auxiliary_labels:
            raise ValueError(f"config tasks.auxiliary_labels repeats the primary label {self.data.label_column!r}")
        if bool(self.split.holdout_column) != bool(self.split.holdout_values):
            raise ValueError("config split.holdout_column and split.holdout_values must be set together "
                             f"(got {self.split.holdout_column!r}, {self.split.holdout_values})")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ValueError(f"config device must be auto, cpu or cuda, got {self.device!r}")
        return self

    def to_dict(self) -> dict:
        return self.model_dump(mode="json")

    def with_run(self, **fields) -> Config:
        """A copy with these run fields changed (marts=..., out=..., ablations=..., ...)."""
        return config_from_dict({"run": fields}, self)


def config_from_dict(raw: dict, base: Config | None = None, source: str = "config file") -> Config:
    """Nested dict (from JSON/TOML/a run's config.json) over `base` -> a validated new Config."""
    merged = _merge((base or Config()).model_dump(), raw)
    try:
        return Config.model_validate(merged)
    except ValidationError as error:
        raise ValueError(f"{source}: {one_line(error)}") from None


def load_config(path: str | Path | None = None, overrides: list[str] | None = None,
                base: Config | None = None) -> Config:
    """Defaults (or `base`), then the JSON/TOML file at `path` (a run's config.json: its "config"),
    then `key=value` overrides."""
    cfg = base or Config()
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"config file {path} does not exist")
        text = path.read_text()
        try:
            raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not valid {'TOML' if path.suffix == '.toml' else 'JSON'} ({exc})") from None
        if "run_id" in raw and isinstance(raw.get("config"), dict):  # runs/<id>/config.json reruns that run
            raw = _run_config(raw)
        cfg = config_from_dict(raw, cfg, source=str(path))
    return apply_overrides(cfg, overrides or [])


def _run_config(info: dict) -> dict:
    """The "config" of a run's config.json; a run written before the run section existed gets it
    from the run's own facts (its marts, ablations and seeds)."""
    raw = dict(info["config"])
    if "run" not in raw:
        run = {"marts": info.get("marts_dir"), "ablations": info.get("ablations"),
               "seeds": len(info["seeds"]) if isinstance(info.get("seeds"), list) else None}
        raw["run"] = {key: value for key, value in run.items() if value is not None}
    return raw


def apply_overrides(cfg: Config, overrides: list[str]) -> Config:
    """Apply `section.field=value` strings (lists comma-separated, booleans true/false) -> a new Config."""
    raw: dict = {}
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"override {item!r} must look like section.field=value")
        key, value = (part.strip() for part in item.split("=", 1))
        *sections, name = key.split(".")
        node = raw
        for section in sections:
            node = node.setdefault(section, {})
            if not isinstance(node, dict):
                raise ValueError(f"--set: config key {section!r} is not a section")
        node[name] = _from_text(sections, name, value)
    return config_from_dict(raw, cfg, source="--set") if raw else cfg


def _from_text(sections: list[str], name: str, value: str):
    """A --set string as its field wants it: comma-separated lists, 'null' for an optional path."""
    model: type[BaseModel] = Config
    for section in sections:
        field = model.model_fields.get(section)
        if field is None or not isinstance(field.annotation, type) or not issubclass(field.annotation, BaseModel):
            return value  # the validation names the unknown key
        model = field.annotation
    field = model.model_fields.get(name)
    if field is not None and typing.get_origin(field.annotation) is list:
        return [v.strip() for v in value.split(",") if v.strip()]
    if field is not None and type(None) in typing.get_args(field.annotation) and value.lower() in ("null", "none", ""):
        return None
    return value


def _merge(base: dict, update: dict) -> dict:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_EXPECTS = {"int_parsing": "int", "int_type": "int", "int_from_float": "int", "float_parsing": "float",
            "float_type": "float", "bool_parsing": "bool", "bool_type": "bool", "string_type": "str",
            "list_type": "a list", "path_type": "a path", "model_type": "a section",
            "dict_type": "a section", "model_attributes_type": "a section"}


def one_line(error: ValidationError) -> str:
    """The first problem of a pydantic error as one line naming the config key."""
    first = error.errors()[0]
    loc = [str(part) for part in first["loc"] if not isinstance(part, int)]
    key, kind, given = ".".join(loc), first["type"], first.get("input")
    if kind == "extra_forbidden":
        where = f" in section {'.'.join(loc[:-1])}" if len(loc) > 1 else ""
        return f"unknown config key {loc[-1]!r}{where}"
    if kind == "value_error":  # the cross-field checks above
        return first["msg"].removeprefix("Value error, ")
    if kind == "literal_error":
        return f"config key {key!r} expects one of {first['ctx']['expected']}, got {given!r}"
    if kind in _EXPECTS:
        return f"config key {key!r} expects {_EXPECTS[kind]}, got {given!r}"
    return f"config key {key!r}: {first['msg']} (got {given!r})"
