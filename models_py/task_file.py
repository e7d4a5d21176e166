"""Tasks declared in a TOML task file (configs/tasks/*.toml), so adding a task is an edit of the file.

One [[task]] table per task: name (default: the source column), kind (binary | multiclass |
regression), source (a column; a list for a multi-output regression), classes (multiclass only, class
names in code order), weight (loss weight, >= 0), role (primary | auxiliary), inputs (series |
static | both, default both). Placeholders: "@label" = the configured primary label, "@scores" = the
severity score columns (a task whose "@scores" is empty is left out, as `default_tasks` does without
scores). configs/tasks/paper.toml reproduces `tasks.default_tasks`. Every problem is one line naming
the file, the task and the key.
"""
from __future__ import annotations

import math
import tomllib
from pathlib import Path

from .tasks import INPUTS, KINDS, ROLES, Task

KEYS = {"name", "kind", "source", "classes", "weight", "role", "inputs"}


class TaskFileError(ValueError):
    """The task file does not declare a valid set of tasks."""


def tasks_from_file(path: str | Path, available_columns, label_column: str = "icu_mortality",
                    score_columns=()) -> list[Task]:
    """Read and validate a task file -> tasks, the primary first, then in file order.

    available_columns: the columns a task may use as its source (model_targets' targets, or the
    cohort.parquet and severity score columns). label_column / score_columns: what "@label" and
    "@scores" stand for.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise TaskFileError(f"{path}: task file does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise TaskFileError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(raw) - {"task"})
    if unknown or not isinstance(raw.get("task"), list) or not raw["task"]:
        raise TaskFileError(f"{path}: expected one or more [[task]] tables and nothing else"
                            + (f" (found {unknown})" if unknown else ""))
    available = set(available_columns) | {label_column, *score_columns}
    tasks = []
    for i, entry in enumerate(raw["task"], start=1):
        task = _task(path, i, entry, available, label_column, list(score_columns))
        if task is not None:
            tasks.append(task)
    names = [t.name for t in tasks]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TaskFileError(f"{path}: task name(s) {repeated} declared more than once")
    primary = [t for t in tasks if t.role == "primary"]
    if len(primary) != 1 or primary[0].kind != "binary":
        raise TaskFileError(f"{path}: expected exactly one binary task with role = \"primary\", found "
                            f"{[(t.name, t.kind) for t in primary]}")
    return primary + [t for t in tasks if t.role != "primary"]


def _task(path: Path, i: int, entry: dict, available: set[str], label: str, scores: list[str]) -> Task | None:
    where = f"{path}: task {entry.get('name') or entry.get('source') or i!s}"

    def fail(message: str):
        raise TaskFileError(f"{where}: {message}")

    unknown = sorted(set(entry) - KEYS)
    if unknown:
        fail(f"unknown key(s) {unknown} (known: {sorted(KEYS)})")
    for key in ("kind", "source", "weight", "role"):
        if key not in entry:
            fail(f"missing key {key!r}")
    kind, role, inputs = entry["kind"], entry["role"], entry.get("inputs", "both")
    for key, value, allowed in (("kind", kind, KINDS), ("role", role, ROLES), ("inputs", inputs, INPUTS)):
        if value not in allowed:
            fail(f"{key} must be one of {list(allowed)}, got {value!r}")
    weight = entry["weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) or weight < 0:
        fail(f"weight must be a finite number >= 0, got {weight!r}")

    source = entry["source"]
    columns = [source] if isinstance(source, str) else source
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        fail(f"source must be a column name or a list of them, got {source!r}")
    resolved = []
    for column in columns:
        resolved += {"@label": [label], "@scores": scores}.get(column, [column])
    if not resolved:
        return None  # "@scores" without scores: no severity task, like default_tasks
    missing = [c for c in resolved if c not in available]
    if missing:
        fail(f"source column(s) {missing} not in the marts (available: {sorted(available)[:12]})")
    if kind != "regression" and len(resolved) != 1:
        fail(f"a {kind} task has one source column, got {resolved}")

    classes = entry.get("classes")
    if kind == "multiclass":
        if not isinstance(classes, list) or len(classes) < 3 or not all(isinstance(c, str) for c in classes):
            fail(f"a multiclass task needs classes = [3 or more class names in code order], got {classes!r}")
        if len(set(classes)) != len(classes):
            fail(f"classes repeat a name: {classes}")
    elif classes is not None:
        fail(f"classes is for multiclass tasks only (this one is {kind})")
    name = entry.get("name", resolved[0] if len(resolved) == 1 else None)
    if not isinstance(name, str) or not name:
        fail("a task over several columns needs a name")
    return Task(name, kind, tuple(resolved), float(weight), n_classes=len(classes) if classes else 2,
                role=role, inputs=inputs, classes=tuple(classes or ()))


def label_classes(tasks: list[Task]) -> dict[str, int]:
    """{source column: K} of the multiclass tasks: what `data.load_marts(label_classes=...)` needs."""
    return {t.columns[0]: t.n_classes for t in tasks if t.kind == "multiclass"}
