"""Describe the cohort from the marts: Table 1 (characteristics overall and by outcome) and the flow diagram.

Both are computed in DuckDB SQL over the published Parquet marts, so a reader can rerun any number in
SQL. Nothing here knows a source: the static columns, the scores and the series channels are whatever
static_features, severity_scores and series_channels hold, and the label column is given.

Table 1 rows: one per numeric variable (median [IQR]) and one per level of a categorical variable
(n (%)), with the count of missing values; columns `overall`, `<label>=0`, `<label>=1`. Series channels
are summarised per stay by their mean over the window hours.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

KEY = "stay_id"
MAX_LEVELS = 8  # categorical levels shown; the rest are summed into "other"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _path(marts_dir: Path, name: str) -> str:
    return "'" + str(Path(marts_dir) / f"{name}.parquet").replace("'", "''") + "'"


def _stays_sql(marts_dir: Path, label: str, con: duckdb.DuckDBPyConnection) -> tuple[str, list[str]]:
    """SQL of one row per cohort stay with the label, static columns, scores and channel means."""
    columns: list[str] = []
    joins = []
    for mart in ("static_features", "severity_scores"):
        path = Path(marts_dir) / f"{mart}.parquet"
        if not path.exists():
            continue
        names = [c for c in con.sql(f"select * from read_parquet({_path(marts_dir, mart)}) limit 0").columns
                 if c != KEY]
        columns += names
        joins.append(f"left join read_parquet({_path(marts_dir, mart)}) as {mart} using ({KEY})")
    channels_path = Path(marts_dir) / "series_channels.parquet"
    if channels_path.exists():
        channels = f"read_parquet({_path(marts_dir, 'series_channels')})"
        if "in_default_set" in con.sql(f"select * from {channels} limit 0").columns:  # the default channel set
            channels = f"(select * from {channels} where in_default_set)"
        spec = con.sql(f"select distinct mart, channel, channel_order from {channels} "
                       "order by channel_order").fetchall()
        if spec:
            series = spec[0][0]
            means = ", ".join(f"avg({_quote(ch)}) as {_quote('mean_' + ch)}" for _, ch, _ in spec)
            columns += [f"mean_{ch}" for _, ch, _ in spec]
            joins.append(f"left join (select {KEY}, {means} from read_parquet({_path(marts_dir, series)}) "
                         f"group by {KEY}) as series using ({KEY})")
    select = ", ".join(_quote(c) for c in columns)
    sql = (f"select cohort.{_quote(label)} as label, {select} from read_parquet({_path(marts_dir, 'cohort')}) "
           f"as cohort {' '.join(joins)}")
    return sql, columns


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _num(value: float) -> str:
    # one decimal for ages and scores, three significant digits for small doses
    return f"{value:.1f}" if abs(value) >= 10 or value == 0 else f"{value:.3g}"


def _fmt_numeric(median, q1, q3) -> str:
    return "" if median is None else f"{_num(median)} [{_num(q1)}, {_num(q3)}]"


def table1(marts_dir: str | Path, label: str) -> pl.DataFrame:
    """Cohort characteristics overall and by the label (0/1), from the marts."""
    con = duckdb.connect()
    sql, columns = _stays_sql(Path(marts_dir), label, con)
    con.sql(f"create temp table stays as {sql}")
    groups = {"overall": "true", f"{label}=0": "label = 0", f"{label}=1": "label = 1"}
    rows = []
    counts = {name: con.sql(f"select count(*) from stays where {cond}").fetchone()[0] for name, cond in groups.items()}
    rows.append({"variable": "n", "level": "", **{k: str(v) for k, v in counts.items()}, "missing": 0})
    types = dict(con.sql("select column_name, column_type from (describe stays)").fetchall())
    for column in columns:
        col = _quote(column)
        missing = con.sql(f"select count(*) filter (where {col} is null) from stays").fetchone()[0]
        if types[column] in ("VARCHAR", "BOOLEAN"):
            levels = con.sql(f"select {col}::varchar as level, count(*) as n from stays where {col} is not null "
                             f"group by 1 order by n desc, level").fetchall()
            shown = [lv for lv, _ in levels[:MAX_LEVELS]]
            matches = [(level, f"{col}::varchar = {_literal(level)}") for level in shown]
            if len(levels) > MAX_LEVELS:
                matches.append(("(other levels)", f"{col}::varchar not in ({', '.join(map(_literal, shown))})"))
            for level, match in matches:
                cells = {}
                for name, cond in groups.items():
                    n, total = con.sql(f"select count(*) filter (where {match}), count({col}) from stays "
                                       f"where {cond}").fetchone()
                    cells[name] = f"{n} ({100 * n / total:.1f}%)" if total else "0"
                rows.append({"variable": column, "level": level, **cells, "missing": missing})
                missing = 0  # counted once, on the first level
        else:
            cells = {}
            for name, cond in groups.items():
                median, q1, q3 = con.sql(f"select median({col}), quantile_cont({col}, 0.25), "
                                         f"quantile_cont({col}, 0.75) from stays where {cond}").fetchone()
                cells[name] = _fmt_numeric(median, q1, q3)
            rows.append({"variable": column, "level": "median [IQR]", **cells, "missing": missing})
    con.close()
    return pl.DataFrame(rows, schema={"variable": pl.String, "level": pl.String,
                                      **{name: pl.String for name in groups}, "missing": pl.Int64})


def table1_markdown(table: pl.DataFrame) -> str:
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.iter_rows()]
    return "\n".join([header, rule, *body]) + "\n"


def read_attrition(marts_dir: str | Path) -> pl.DataFrame:
    """cohort_attrition.parquet in step order (step, n_stays, n_excluded)."""
    path = Path(marts_dir) / "cohort_attrition.parquet"
    sql = (f"select step, n_stays, n_excluded from read_parquet({_path(Path(marts_dir), 'cohort_attrition')}) "
           "order by step_order")
    if not path.exists():
        raise FileNotFoundError(f"{path}: cohort_attrition mart not found; expected the warehouse's attrition table")
    return duckdb.sql(sql).pl()


def cohort_flow_figure(attrition: pl.DataFrame, path: str | Path) -> None:
    """The attrition as a flow diagram: one box per step with the stays left, exclusions to the side."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = attrition.rows(named=True)
    height = 1.1 * len(steps) + 0.4
    fig, ax = plt.subplots(figsize=(7.5, height))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, height)
    ax.axis("off")
    box = {"boxstyle": "round,pad=0.35", "facecolor": "#eef3f8", "edgecolor": "#34495e"}
    side = {"boxstyle": "round,pad=0.3", "facecolor": "#fbeeee", "edgecolor": "#a94442"}
    for i, step in enumerate(steps):
        y = height - 0.6 - 1.1 * i
        ax.text(3.2, y, f"{step['step'].replace('_', ' ')}\nn = {step['n_stays']:,}", ha="center", va="center",
                fontsize=9, bbox=box)
        if i > 0:
            ax.annotate("", xy=(3.2, y + 0.33), xytext=(3.2, y + 0.77), arrowprops={"arrowstyle": "->"})
            if step["n_excluded"]:
                ax.text(7.6, y + 0.55, f"excluded: {step['n_excluded']:,}", ha="center", va="center", fontsize=8,
                        bbox=side)
                ax.annotate("", xy=(6.5, y + 0.55), xytext=(3.2, y + 0.55), arrowprops={"arrowstyle": "->"})
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
