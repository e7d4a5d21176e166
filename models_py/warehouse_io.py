"""Write one training run back into the DuckDB warehouse, so SQL can join runs with the cohort.

Tables (created if absent, one run's rows replaced as a whole in one transaction):
- model_runs: one row per run: run_id, loaded_at, data_fingerprint, seed, device, threshold_rule, config_json.
- model_metrics: one row per run, model, metric and seed: value with its 95 % CI (null where none).
- model_predictions: one row per run, seed, stay and model: split, probability, label (seed null
  where the predictions file has no seed column).

    select c.first_careunit, avg(p.probability)
    from model_predictions as p
    inner join cohort as c on p.stay_id = c.stay_id
    where p.run_id = '...' and p.model = 'full' and p.split = 'test'
    group by 1
"""
from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import duckdb

PREDICTION_COLUMNS = ("stay_id", "split", "model", "probability", "label")

_DDL = (
    """
    create table if not exists model_runs (
        run_id varchar primary key,
        loaded_at timestamp,
        data_fingerprint varchar,
        seed integer,
        device varchar,
        threshold_rule varchar,
        config_json json,
    )
    """,
    """
    create table if not exists model_metrics (
        run_id varchar not null,
        model varchar not null,
        metric varchar not null,
        value double,
        ci_low double,
        ci_high double,
        seed integer,
    )
    """,
    """
    create table if not exists model_predictions (
        run_id varchar not null,
        stay_id bigint not null,
        split varchar not null,
        model varchar not null,
        probability double,
        label integer,
        seed integer,
    )
    """,
)


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found; expected the run directory to hold it")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _metric_rows(run_id: str, models: dict, seed) -> list[tuple]:
    """(run_id, model, metric, value, ci_low, ci_high, seed) for every numeric entry of a models dict."""
    rows = []
    for model, metrics in models.items():
        for metric, entry in metrics.items():
            if isinstance(entry, dict):
                row = (_number(entry.get("value")), _number(entry.get("ci_low")), _number(entry.get("ci_high")))
            else:
                row = (_number(entry), None, None)
            if row[0] is not None or isinstance(entry, dict):
                rows.append((run_id, model, metric, *row, seed))
    return rows


def _text(value) -> str | None:
    """Strings as they are; anything else (a dict of file hashes, say) as JSON."""
    return value if value is None or isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _run_id(run_dir: Path, config: dict) -> str:
    return str(config.get("run_id") or run_dir.resolve().name)


def load_run_into_warehouse(run_dir, duckdb_path) -> dict[str, int] | None:
    """Load config.json, metrics.json and predictions.parquet of `run_dir` into the warehouse.

    Idempotent per run_id (the run's earlier rows are replaced). Returns the row counts loaded, or
    None with a warning when the warehouse file is missing or locked by another process: a training
    run must not fail because its results could not be written back.
    """
    run_dir = Path(run_dir)
    duckdb_path = Path(duckdb_path)
    config = _read_json(run_dir / "config.json")
    metrics = _read_json(run_dir / "metrics.json")
    predictions = run_dir / "predictions.parquet"
    if not predictions.is_file():
        raise FileNotFoundError(f"{predictions} not found; expected the run's predictions")
    run_id = _run_id(run_dir, config)
    seed = config.get("seed")
    seed = int(seed) if isinstance(seed, (int, float)) and not isinstance(seed, bool) else None

    rows = _metric_rows(run_id, metrics.get("models") or {}, seed)
    # Per-seed results of a multi-seed run, when the run stores them: {"per_seed": {seed: models}}.
    for other_seed, models in (metrics.get("per_seed") or {}).items():
        if int(other_seed) != seed:
            rows += _metric_rows(run_id, models, int(other_seed))

    if not duckdb_path.is_file():
        warnings.warn(f"warehouse {duckdb_path} not found; run {run_id} not written back "
                      "(build it with `make warehouse`)", stacklevel=2)
        return None
    try:
        con = duckdb.connect(str(duckdb_path))
    except duckdb.IOException as error:
        first_line = str(error).splitlines()[0]
        warnings.warn(f"warehouse {duckdb_path} could not be opened ({first_line}); run {run_id} not written back",
                      stacklevel=2)
        return None

    try:
        described = con.execute("describe select * from read_parquet(?)", [str(predictions)]).fetchall()
        columns = [row[0] for row in described]
        missing = [c for c in PREDICTION_COLUMNS if c not in columns]
        if missing:
            raise ValueError(f"{predictions} lacks columns {missing}; expected {list(PREDICTION_COLUMNS)}")
        con.execute("begin transaction")
        for ddl in _DDL:
            con.execute(ddl)
        for table in ("model_runs", "model_metrics", "model_predictions"):
            con.execute(f"delete from {table} where run_id = ?", [run_id])
        con.execute(
            "insert into model_runs values (?, current_timestamp, ?, ?, ?, ?, ?)",
            [run_id, _text(config.get("data_fingerprint")), seed, _text(config.get("device")),
             _text(metrics.get("threshold_rule")), json.dumps(config, default=str)],
        )
        if rows:
            con.executemany("insert into model_metrics values (?, ?, ?, ?, ?, ?, ?)", rows)
        seed_column = "cast(seed as integer)" if "seed" in columns else "cast(? as integer)"
        con.execute(
            f"""
            insert into model_predictions
            select ?, cast(stay_id as bigint), cast(split as varchar), cast(model as varchar),
                cast(probability as double), cast(label as integer), {seed_column}
            from read_parquet(?) {"where fold is null" if "fold" in columns else ""}
            """,
            [run_id, str(predictions)] if "seed" in columns else [run_id, seed, str(predictions)],
        )
        n_predictions = con.execute("select count(*) from model_predictions where run_id = ?", [run_id]).fetchone()[0]
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:  # nothing to roll back
            pass
        raise
    finally:
        con.close()
    return {"model_runs": 1, "model_metrics": len(rows), "model_predictions": int(n_predictions)}
