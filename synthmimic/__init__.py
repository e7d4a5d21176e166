"""synthmimic: a schema-exact synthetic MIMIC-IV source with a documented latent model.

`generate(out, stays, seed, profile, fmt)` writes hosp/*.csv.gz and icu/*.csv.gz (or .parquet) in
PhysioNet's layout, with the real column names, order, types, itemids, units and text values. The
latent model (see latent.py and docs/synthetic.md) gives each ICU stay a hidden severity trajectory that
drives organ dysfunction in the raw measurements, vasoactive need and dose trends, and death; labels and
scores are never written: the warehouse recovers them from raw rows.
"""
from .generate import DEFAULT_SEED, DEFAULT_STAYS, generate

__all__ = ["generate", "DEFAULT_STAYS", "DEFAULT_SEED"]
