"""vistrend's modeling layer: MAE pretraining, frozen teacher, multitask student with distillation.

The recipe is models_py.experiment.run_experiment(cfg): marts (data) -> split (splits) -> tensors
(dataset, preprocess) -> the paper's stages (stages; epoch loops in engine, networks in models,
scikit-learn baselines in baselines) -> evaluation (evaluate, metrics) -> run directory (rundir,
checkpoints, report, explain) -> warehouse (warehouse_io). The config is the CLI (config,
config_cli). See docs/modeling.md.
"""
from .config import Config, load_config
from .models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder
from .tasks import Task, default_tasks

__all__ = ["Config", "load_config", "LSTMBaseline", "MaskedAutoencoder", "MultitaskModel", "SeriesEncoder", "Task",
           "default_tasks"]
