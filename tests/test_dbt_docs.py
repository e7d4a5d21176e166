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
