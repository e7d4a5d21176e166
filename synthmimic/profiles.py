"""The named profiles (`--profile`): case mix of first ICU stays and charting density per stay."""
from __future__ import annotations

from dataclasses import dataclass

PATIENTS_PER_CHUNK = 400


@dataclass(frozen=True)
class Profile:
    name: str
    # probabilities of a patient's first ICU stay being SHOCK, SEPSIS, CARDIAC, OTHER (latent.Archetype order)
    archetype_p: tuple[float, float, float, float]
    chart_padding_per_hour: float   # charts of each real non-concept chartevents item per hour
    lab_padding: bool               # lab draws every 3 h over the admission, with extra real panels
    fluid_rows_per_day: int         # maintenance NaCl 0.9 % inputevents rows per ICU day
    patients_per_chunk: int         # patients sampled and written together (peak memory)


PROFILES = {p.name: p for p in (
    # enriched for the paper's cohort (septic shock)
    Profile("default", archetype_p=(0.72, 0.09, 0.07, 0.12), chart_padding_per_hour=0, lab_padding=False,
            fluid_rows_per_day=4, patients_per_chunk=PATIENTS_PER_CHUNK),
    # MIMIC-IV proportions (about a third of stays Sepsis-3, a quarter on vasopressors, ~10 % in the
    # paper's cohort) and about as many rows per stay as MIMIC-IV v3.1: six times the default's rows
    # per stay, so smaller chunks keep peak memory near the default profile's
    Profile("realistic", archetype_p=(0.14, 0.22, 0.10, 0.54), chart_padding_per_hour=2.5, lab_padding=True,
            fluid_rows_per_day=32, patients_per_chunk=120),
)}
