"""Tasks declared in a TOML file (models_py/task_file.py): the default file is today's tasks, a task is
added by editing the file only, and a bad file is one line naming the file, the task and the key."""
from __future__ import annotations

import shutil

import pytest
import torch
from conftest import REPO

from models_py.config import Config, ModelConfig
from models_py.models import MultitaskModel, SeriesEncoder
from models_py.task_file import TaskFileError, label_classes, tasks_from_file
from models_py.tasks import default_tasks

TASKS_DIR = REPO / "configs" / "tasks"
SCORES = ["sofa_first_day", "sapsii", "lods", "oasis"]
COHORT = ["icu_mortality", "hospital_mortality", "mortality_28d", "age_band", "gcs_band"]


def load(path, **kwargs):
    return tasks_from_file(path, [*COHORT, *SCORES], label_column="icu_mortality", score_columns=SCORES, **kwargs)


def test_paper_file_reproduces_the_default_tasks():
    assert load(TASKS_DIR / "paper.toml") == default_tasks(Config())
    # source-agnostic: the placeholders follow the configured label and scores (PhysioNet 2012's)
    p12 = tasks_from_file(TASKS_DIR / "paper.toml", ["in_hospital_mortality", "sofa", "saps_i"],
                          label_column="in_hospital_mortality", score_columns=["sofa", "saps_i"])
    assert [(t.name, t.columns) for t in p12] == [("in_hospital_mortality", ("in_hospital_mortality",)),
                                                  ("severity", ("sofa", "saps_i"))]
    no_scores = tasks_from_file(TASKS_DIR / "paper.toml", COHORT, score_columns=[])
    assert [t.name for t in no_scores] == ["icu_mortality"]


def test_ich_files_add_the_band_tasks_with_and_without_static_inputs():
    series_only, with_static = load(TASKS_DIR / "ich_aux.toml"), load(TASKS_DIR / "ich_aux_static.toml")
    bands = {t.name: t for t in series_only if t.kind == "multiclass"}
    assert set(bands) == {"age_band", "gcs_band"}
    assert bands["age_band"].n_classes == 4 and bands["gcs_band"].n_classes == 3
    assert bands["age_band"].classes[0] == "18-44" and bands["age_band"].inputs == "series"
    assert {t.name: t.inputs for t in with_static if t.kind == "multiclass"} == {"age_band": "both", "gcs_band": "both"}
    assert label_classes(series_only) == {"age_band": 4, "gcs_band": 3}


def test_a_task_is_added_by_editing_the_file_only(tmp_path):
    path = shutil.copy(TASKS_DIR / "paper.toml", tmp_path / "mine.toml")
    with open(path, "a") as handle:
        handle.write('\n[[task]]\nsource = "hospital_mortality"\nkind = "binary"\nrole = "auxiliary"\n'
                     'weight = 0.2\ninputs = "series"\n')
    tasks = load(path)
    added = tasks[-1]
    assert (added.name, added.kind, added.weight, added.inputs) == ("hospital_mortality", "binary", 0.2, "series")
    cfg = ModelConfig(d_model=16, n_heads=2, ffn_dim=32, n_layers=1, head_hidden=8)
    model = MultitaskModel(encoder=SeriesEncoder(n_channels=3, n_steps=48, cfg=cfg), n_static=6,
                           score_indices=[2, 3, 4, 5], tasks=tasks, cfg=cfg)
    out = model.forward_tasks(torch.randn(5, 48, 3), torch.randn(5, 6))
    assert out["hospital_mortality"].shape == (5, 2)
    assert model.heads["hospital_mortality"][0].in_features == 16  # [CLS] only: inputs = "series"
    assert model.primary == "icu_mortality"


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('kind = "binary"', 'kind = "ordinal"'), r"task @label: kind must be one of"),
    (lambda s: s.replace('weight = 0.1', 'weight = -1'), r"task severity: weight must be a finite number >= 0"),
    (lambda s: s.replace('role = "primary"', 'role = "auxiliary"'), r"expected exactly one binary task with role"),
    (lambda s: s + '\n[[task]]\nsource = "lactate"\nkind = "binary"\nrole = "auxiliary"\nweight = 1\n',
     r"task lactate: source column\(s\) \['lactate'\] not in the marts"),
    (lambda s: s + '\n[[task]]\nsource = "age_band"\nkind = "multiclass"\nrole = "auxiliary"\nweight = 1\n',
     r"task age_band: a multiclass task needs classes"),
    (lambda s: s + '\n[[task]]\nsource = "age_band"\nkind = "binary"\nrole = "auxiliary"\nweight = 1\nlevels = 3\n',
     r"task age_band: unknown key\(s\) \['levels'\]"),
    (lambda s: s + '\n[[task]]\nname = "severity"\nsource = "sapsii"\nkind = "regression"\n'
                   'role = "auxiliary"\nweight = 1\n',
     r"task name\(s\) \['severity'\] declared more than once"),
    (lambda s: s.replace("[[task]]", "[[tasks]]"), r"expected one or more \[\[task\]\] tables"),
    (lambda s: s + "\n[[task]\n", r"not valid TOML"),
])
def test_a_bad_task_file_is_one_line(tmp_path, edit, message):
    path = tmp_path / "bad.toml"
    path.write_text(edit((TASKS_DIR / "paper.toml").read_text()))
    with pytest.raises(TaskFileError, match=message) as info:
        load(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
