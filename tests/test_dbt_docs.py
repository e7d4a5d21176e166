"""Every dbt model and seed is documented, and its description states its grain first."""
from __future__ import annotations

import yaml
from conftest import DBT_PROJECT


def _documented(kind: str) -> dict[str, str]:
    out = {}
    for path in sorted(DBT_PROJECT.glob("**/*.yml")):
        if "target" in path.parts or path.name in ("dbt_project.yml", "profiles.yml"):
            continue
        for entry in (yaml.safe_load(path.read_text()) or {}).get(kind, []) or []:
            out[entry["name"]] = (entry.get("description") or "").strip()
    return out


def test_every_model_has_a_description_that_states_its_grain_first():
    described = _documented("models")
    models = sorted(p.stem for p in (DBT_PROJECT / "models").glob("**/*.sql"))
    assert models, "no dbt models found"
    undocumented = [m for m in models if not described.get(m)]
    assert not undocumented, f"models without a description in a yml file: {undocumented}"
    no_grain = [m for m in models if not described[m].lower().startswith("one row per")]
    assert not no_grain, f"descriptions that do not start with the grain ('One row per ...'): {no_grain}"


def test_every_seed_has_a_description_that_states_its_grain_first():
    described = _documented("seeds")
    seeds = sorted(p.stem for p in (DBT_PROJECT / "seeds").glob("**/*.csv"))
    undocumented = [s for s in seeds if not described.get(s)]
    assert not undocumented, f"seeds without a description in a yml file: {undocumented}"
    no_grain = [s for s in seeds if not described[s].lower().startswith("one row per")]
    assert not no_grain, f"seed descriptions that do not start with the grain: {no_grain}"


CONTRACT_MARTS = ["cohort", "icu_stays", "vis_hourly", "severity_scores", "static_features", "series_channels",
                  "p12_cohort", "p12_hourly_measurements", "p12_severity_scores", "p12_static_features",
                  "p12_series_channels"]


def _mart_models() -> dict[str, dict]:
    out = {}
    for path in sorted((DBT_PROJECT / "models").glob("**/marts/*.yml")):
        for entry in (yaml.safe_load(path.read_text()) or {}).get("models", []) or []:
            out[entry["name"]] = entry
    return out


def test_contract_marts_enforce_a_typed_contract():
    marts = _mart_models()
    not_enforced = [m for m in CONTRACT_MARTS if not (marts[m].get("config", {}).get("contract") or {}).get("enforced")]
    assert not not_enforced, f"contract marts without `contract: {{enforced: true}}`: {not_enforced}"
    untyped = [f"{m}.{c['name']}" for m in CONTRACT_MARTS for c in marts[m]["columns"] if not c.get("data_type")]
    assert not untyped, f"contract mart columns without a data_type: {untyped}"


def test_every_listed_mart_column_has_a_description():
    """Columns a mart yml lists (the built warehouse's comments are checked in test_warehouse.py)."""
    undocumented = [f"{name}.{c['name']}" for name, m in _mart_models().items() for c in m.get("columns", [])
                    if not (c.get("description") or "").strip()]
    assert not undocumented, f"mart columns without a description: {undocumented}"
