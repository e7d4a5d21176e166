"""One typed configuration for the modeling layer, with the paper's values as defaults.

Jin et al. (2025), "A Novel Multi-Task Teacher-Student Architecture with Self-Supervised Pretraining
for 48-Hour Vasoactive-Inotropic Trend Analysis in Sepsis Mortality Prediction", §3-§4.

Load order: defaults -> a JSON or TOML file (`load_config(path)`) -> `key=value` overrides
(`apply_overrides(cfg, ["student.lr=5e-4", "teacher.heads=untrained"])`).
"""
from __future__ import annotations

import dataclasses
import json
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SCORES = ["sofa_first_day", "sapsii", "lods", "oasis"]


@dataclass
class DataConfig:
    label_column: str = "icu_mortality"
    """primary binary label, a column of cohort.parquet (0/1)"""
    score_columns: list[str] = field(default_factory=lambda: list(DEFAULT_SCORES))
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
    time_since_observed: bool = False
    """also append, per observation-masked channel, the hours since its last observation (scaled /hours;
    1 + hr/hours before the first one)"""


@dataclass
class SplitConfig:
    holdout_column: str = ""
    """a cohort.parquet column (e.g. set_name): rows whose value is in holdout_values are the test split,
    train/val is a stratified split of the rest; empty = a random stratified train/val/test split"""
    holdout_values: list[str] = field(default_factory=list)


@dataclass
class ModelConfig:
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
    positional: str = "learned"
    """learned | sinusoidal positional encoding over the 1 + hours tokens"""
    precision: str = "fp32"
    """fp32 (the paper's numerics) | bf16: encoder layers under bfloat16 autocast, ~1/3 less CPU per step
    (opt-in; weights and outputs stay float32; docs/modeling.md ## Speed)"""
    lstm_hidden: int = 64
    """LSTM baseline hidden size"""


@dataclass
class MAEConfig:
    mask_ratio: float = 0.05
    """fraction of time steps masked per sample (at least one)"""
    epochs: int = 30
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64


@dataclass
class TeacherConfig:
    heads: str = "probe"
    """untrained | probe: heads on the frozen MAE encoder are random (paper §4.2) or trained on the labels (§3)"""
    epochs: int = 30
    """probe training epochs (early stopping on validation AUROC)"""
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    patience: int = 5


@dataclass
class StudentConfig:
    epochs: int = 30
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 64
    patience: int = 5
    """epochs without a better validation AUROC before stopping (best weights restored)"""
    init_from_mae: bool = False
    """start the student's encoder from the MAE weights (False: the paper's reading, the student
    inherits the teacher's representation only through distillation)"""


@dataclass
class LossConfig:
    ce_weight: float = 1.0
    """weight of the primary classification task (class-weighted cross-entropy)"""
    mse_weight: float = 0.1
    """weight of the severity regression task (MSE on z-scored scores)"""
    kd_weight: float = 0.05
    """weight of ||softmax(z_S) - softmax(z_T)||^2"""


@dataclass
class TasksConfig:
    auxiliary_labels: list[str] = field(default_factory=list)
    """extra 0/1 cohort.parquet columns (e.g. hospital_mortality) trained as auxiliary binary tasks of the
    multitask models; stays whose label is missing are masked out of that task's loss"""
    auxiliary_weight: float = 0.1
    """loss weight of each auxiliary task"""


@dataclass
class EvalConfig:
    bootstrap_resamples: int = 1000
    shap_stays: int = 500
    shap_background: int = 100


@dataclass
class Config:
    seed: int = 0
    device: str = "auto"
    """auto (CUDA when present, else CPU) | cpu | cuda"""
    threads: int = 2
    """torch CPU threads"""
    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    mae: MAEConfig = field(default_factory=MAEConfig)
    teacher: TeacherConfig = field(default_factory=TeacherConfig)
    student: StudentConfig = field(default_factory=StudentConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    tasks: TasksConfig = field(default_factory=TasksConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def validate(self) -> "Config":
        fractions = (self.data.train_fraction, self.data.val_fraction, self.data.test_fraction)
        if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) <= 0:
            raise ValueError(f"config data.*_fraction must be positive and sum to 1, got {fractions}")
        if self.teacher.heads not in ("untrained", "probe"):
            raise ValueError(f"config teacher.heads must be 'untrained' or 'probe', got {self.teacher.heads!r}")
        if self.model.precision not in ("fp32", "bf16"):
            raise ValueError(f"config model.precision must be 'fp32' or 'bf16', got {self.model.precision!r}")
        if self.model.positional not in ("learned", "sinusoidal"):
            raise ValueError(f"config model.positional must be 'learned' or 'sinusoidal', got {self.model.positional!r}")
        if self.model.d_model % self.model.n_heads:
            raise ValueError(f"config model.d_model ({self.model.d_model}) must be divisible by n_heads ({self.model.n_heads})")
        if not 0 < self.mae.mask_ratio < 1:
            raise ValueError(f"config mae.mask_ratio must be in (0, 1), got {self.mae.mask_ratio}")
        if self.data.label_column in self.tasks.auxiliary_labels:
            raise ValueError(f"config tasks.auxiliary_labels repeats the primary label {self.data.label_column!r}")
        if bool(self.split.holdout_column) != bool(self.split.holdout_values):
            raise ValueError("config split.holdout_column and split.holdout_values must be set together "
                             f"(got {self.split.holdout_column!r}, {self.split.holdout_values})")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ValueError(f"config device must be auto, cpu or cuda, got {self.device!r}")
        return self


def config_from_dict(raw: dict, base: Config | None = None) -> Config:
    """Nested dict (from JSON/TOML/config.json) -> Config; unknown keys are an error."""
    cfg = base or Config()
    for key, value in raw.items():
        _set_path(cfg, key.split("."), value, source="config file")
    return cfg.validate()


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Defaults, then the JSON/TOML file at `path`, then `key=value` overrides."""
    cfg = Config()
    if path is not None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"config file {path} does not exist")
        text = path.read_text()
        raw = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
        cfg = config_from_dict(raw, cfg)
    return apply_overrides(cfg, overrides or [])


def apply_overrides(cfg: Config, overrides: list[str]) -> Config:
    """Apply `section.field=value` strings (lists comma-separated, booleans true/false)."""
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"override {item!r} must look like section.field=value")
        key, value = item.split("=", 1)
        _set_path(cfg, key.strip().split("."), value.strip(), source="--set")
    return cfg.validate()


def _set_path(obj, parts: list[str], value, source: str) -> None:
    name = parts[0]
    fields = {f.name: f for f in dataclasses.fields(obj)}
    if name not in fields:
        raise ValueError(f"{source}: unknown config key {name!r} in {type(obj).__name__} (known: {sorted(fields)})")
    current = getattr(obj, name)
    if dataclasses.is_dataclass(current):
        if len(parts) > 1:
            _set_path(current, parts[1:], value, source)
        elif isinstance(value, dict):
            for key, sub in value.items():
                _set_path(current, [key], sub, source)
        else:
            raise ValueError(f"{source}: config key {name!r} is a section; set one of its fields")
        return
    if len(parts) > 1:
        raise ValueError(f"{source}: config key {name!r} is not a section")
    hint = typing.get_type_hints(type(obj))[name]
    setattr(obj, name, _coerce(value, hint, name, source))


def _coerce(value, hint, name: str, source: str):
    try:
        if hint is bool:
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            return bool(value)
        if hint is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)
        if hint is float:
            return float(value)
        if hint is str:
            return str(value)
        if typing.get_origin(hint) is list:
            items = value.split(",") if isinstance(value, str) else list(value)
            return [str(v).strip() for v in items if str(v).strip()]
    except (TypeError, ValueError):
        raise ValueError(f"{source}: config key {name!r} expects {getattr(hint, '__name__', hint)}, got {value!r}") from None
    raise ValueError(f"{source}: unsupported type for config key {name!r}")
