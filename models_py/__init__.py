"""vistrend's modeling layer: MAE pretraining, frozen teacher, multitask student with distillation.

Reads the Parquet marts (models_py.data), fits preprocessing on the training split
(models_py.preprocess), trains (models_py.train) and runs whole experiments with ablations
(models_py.run); evaluation, SHAP, report and warehouse write-back live in metrics, explain,
report and warehouse_io. See docs/modeling.md.
"""
from .config import Config, load_config
from .models import LSTMBaseline, MaskedAutoencoder, MultitaskModel, SeriesEncoder
from .tasks import Task, default_tasks

__all__ = ["Config", "load_config", "LSTMBaseline", "MaskedAutoencoder", "MultitaskModel", "SeriesEncoder", "Task",
           "default_tasks"]
