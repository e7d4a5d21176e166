"""Write small marts of the warehouse contract's exact shape (SPEC §2) for model tests.

Random but learnable: ICU mortality depends on the norepinephrine trend over the 48 hours and on the
first-day SOFA score, so a working model beats chance and a broken one does not.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

AGENTS = ("dopamine_mcg_kg_min", "dobutamine_mcg_kg_min", "epinephrine_mcg_kg_min", "norepinephrine_mcg_kg_min",
          "milrinone_mcg_kg_min", "vasopressin_units_kg_min")
SCORES = ("sofa_first_day", "sapsii", "lods", "oasis")


def write_marts(folder: str | Path, n_stays: int = 300, seed: int = 0, hours: int = 48, leak: bool = False) -> Path:
    """Write cohort/vis_hourly/static_features/severity_scores.parquet into `folder`; return it.

    leak=True adds cohort.icu_hours_in_vis_window as the warehouse writes it, with the warehouse's leak:
    deaths leave the ICU inside the window far more often, and the doses are 0 after that hour (drawn
    from a separate random stream, so every other value is the same as with leak=False).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    stay_ids = 30_000_000 + rng.choice(900_000, n_stays, replace=False)
    subject_ids = 10_000_000 + np.arange(n_stays) * 7
    severity = rng.normal(size=n_stays)  # latent illness
    trend = rng.normal(size=n_stays)     # > 0: rising vasopressor need
    sofa = np.clip(np.round(6 + 2.5 * severity + rng.normal(0, 1.5, n_stays)), 0, 24)
    risk = 1 / (1 + np.exp(-(-1.2 + 1.4 * trend + 0.5 * (sofa - 6) / 2.5)))
    died = (rng.uniform(size=n_stays) < risk).astype(np.int32)

    # hourly doses: norepinephrine follows the trend, the other agents are sparse noise
    t = np.linspace(0, 1, hours)
    base = np.exp(rng.normal(-2.3, 0.5, n_stays))[:, None]
    norepi = np.clip(base * (1 + 1.5 * trend[:, None] * t[None, :]) + rng.normal(0, 0.01, (n_stays, hours)), 0, None)
    channels = {}
    for agent in AGENTS:
        if agent == "norepinephrine_mcg_kg_min":
            dose = norepi
        else:
            on = rng.uniform(size=n_stays) < 0.2
            scale = 1e-4 if agent.startswith("vasopressin") else (5.0 if agent.startswith(("dopa", "dobu")) else 0.05)
            dose = np.where(on[:, None], np.abs(rng.normal(scale, scale / 3, (n_stays, hours))), 0.0)
        channels[agent] = dose
    if leak:
        extra = np.random.default_rng(seed + 10_007)
        short = extra.uniform(size=n_stays) < np.where(died == 1, 0.6, 0.15)
        icu_hours = np.where(short, extra.integers(4, hours, n_stays), hours)
        after = np.arange(hours)[None, :] >= icu_hours[:, None]
        channels = {agent: np.where(after, 0.0, dose) for agent, dose in channels.items()}
    vis = (channels["dopamine_mcg_kg_min"] + channels["dobutamine_mcg_kg_min"]
           + 100 * channels["epinephrine_mcg_kg_min"] + 10 * channels["milrinone_mcg_kg_min"]
           + 100 * channels["norepinephrine_mcg_kg_min"] + 10_000 * channels["vasopressin_units_kg_min"])
    pl.DataFrame({
        "stay_id": np.repeat(stay_ids, hours).astype(np.int64),
        "hr": np.tile(np.arange(hours), n_stays).astype(np.int32),
        **{agent: dose.ravel() for agent, dose in channels.items()},
        "vis": vis.ravel(),
    }).write_parquet(folder / "vis_hourly.parquet")

    intime = [datetime(2150, 1, 1) + timedelta(hours=int(h)) for h in rng.integers(0, 50_000, n_stays)]
    pl.DataFrame({
        "subject_id": subject_ids.astype(np.int64),
        "hadm_id": (20_000_000 + np.arange(n_stays)).astype(np.int64),
        "stay_id": stay_ids.astype(np.int64),
        "intime": intime,
        "outtime": [x + timedelta(days=3) for x in intime],
        "first_careunit": rng.choice(["MICU", "SICU", "CVICU"], n_stays),
        "anchor_year_group": rng.choice(["2008 - 2010", "2011 - 2013", "2014 - 2016"], n_stays),
        "icu_mortality": died,
        "hospital_mortality": np.maximum(died, (rng.uniform(size=n_stays) < 0.05)).astype(np.int32),
        "mortality_28d": np.maximum(died, (rng.uniform(size=n_stays) < 0.08)).astype(np.int32),
        **({"icu_hours_in_vis_window": icu_hours.astype(np.int32)} if leak else {}),
    }).write_parquet(folder / "cohort.parquet")

    age = np.round(rng.uniform(18, 90, n_stays), 1)
    pl.DataFrame({
        "stay_id": stay_ids.astype(np.int64),
        "gender": rng.choice(["F", "M"], n_stays),
        "age": [None if m else float(a) for m, a in zip(rng.uniform(size=n_stays) < 0.03, age)],
        "insurance": [None if v == "" else str(v)
                      for v in rng.choice(["Medicare", "Medicaid", "Other", ""], n_stays, p=[0.5, 0.2, 0.25, 0.05])],
        "marital_status": [None if v == "" else str(v)
                           for v in rng.choice(["MARRIED", "SINGLE", "WIDOWED", "DIVORCED", ""], n_stays)],
        "race": rng.choice(["WHITE", "BLACK/AFRICAN AMERICAN", "ASIAN", "HISPANIC/LATINO", "OTHER"], n_stays),
    }, schema_overrides={"age": pl.Float64}).write_parquet(folder / "static_features.parquet")

    sapsii = np.round(35 + 6 * severity + rng.normal(0, 5, n_stays))
    lods = np.clip(np.round(5 + 2 * severity + rng.normal(0, 1.5, n_stays)), 0, 22)
    oasis = np.round(33 + 4 * severity + rng.normal(0, 4, n_stays))
    missing_lods = rng.uniform(size=n_stays) < 0.05  # a missing score: input imputed, target masked
    pl.DataFrame({
        "stay_id": stay_ids.astype(np.int64),
        "sofa_first_day": sofa.astype(np.int32),
        "sapsii": sapsii.astype(np.int32),
        "lods": [None if m else int(v) for m, v in zip(missing_lods, lods)],
        "oasis": oasis.astype(np.int32),
        "sofa_cardiovascular": np.clip(np.round(sofa / 6), 0, 4).astype(np.int32),
        "sofa_respiration": np.clip(np.round(sofa / 5), 0, 4).astype(np.int32),
    }, schema_overrides={"lods": pl.Int32}).write_parquet(folder / "severity_scores.parquet")
    return folder


def write_metadata(folder: str | Path) -> Path:
    """Add the MIMIC-IV metadata marts (series_channels, model_targets) as the warehouse writes them:
    every vis_hourly channel zero-filled, log1p_zscore, no mask; targets ordered role desc, target."""
    folder = Path(folder)
    channels = [*AGENTS, "vis"]
    pl.DataFrame({
        "mart": "vis_hourly", "channel": channels, "channel_order": np.arange(1, len(channels) + 1, dtype=np.int32),
        "unit": ["mcg/kg/min"] * 5 + ["units/kg/min", "points"], "fill_policy": "zero",
        "observation_mask": False, "transform": "log1p_zscore", "description": "",
    }).write_parquet(folder / "series_channels.parquet")
    pl.DataFrame({
        "target": ["sofa_first_day", "sapsii", "oasis", "lods", "icu_mortality", "mortality_28d", "hospital_mortality"],
        "mart": ["severity_scores"] * 4 + ["cohort"] * 3,
        "kind": ["regression"] * 4 + ["binary"] * 3,
        "role": ["auxiliary"] * 4 + ["primary", "alternative", "alternative"],
        "static_input": [True] * 4 + [False] * 3, "description": "",
    }).sort(["role", "target"], descending=[True, False]).write_parquet(folder / "model_targets.parquet")
    return folder
