"""Raw MIMIC-IV rows from the latent population of one chunk (vectorised numpy -> arrow tables).

One module per table family, along the seams of `generate.write_chunk`. Each builder returns a pyarrow
Table (or yields several) in the exact column order and types of `schema.TABLES`. Times are epoch
seconds (int64) until converted; -1 means NULL.
"""
from .charting import chartevents
from .dictionaries import d_items, d_labitems
from .grid import hourly_grid
from .ids import Ids
from .infection import infection_workup
from .infusions import inputevents, vasoactive_plan
from .labs import labevents
from .outputs import outputevents
from .procedures import procedureevents
from .stays import admissions, diagnoses_icd, icustays, patients, services, transfers

__all__ = [
    "Ids", "admissions", "chartevents", "d_items", "d_labitems", "diagnoses_icd", "hourly_grid", "icustays",
    "infection_workup", "inputevents", "labevents", "outputevents", "patients", "procedureevents", "services",
    "transfers", "vasoactive_plan",
]
