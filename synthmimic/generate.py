"""Orchestration: chunks of patients -> latent population -> raw tables -> streaming writers."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa

from . import tables
from .latent import sample_population
from .population import Population, truncate
from .profiles import PROFILES, Profile
from .schema import TABLES
from .writer import FORMATS, AtomicDirectory, TableWriter, write_marker

DEFAULT_STAYS = 11000
DEFAULT_SEED = 42
GENERATOR_VERSION = "1"


def validate(stays: int, seed: int, profile: str, fmt: str) -> None:
    if not isinstance(stays, int) or stays <= 0:
        raise ValueError(f"--stays must be a positive integer, got {stays}")
    if stays > 5_000_000:
        raise ValueError(f"--stays {stays} is larger than the 5,000,000 supported")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"--seed must be a non-negative integer, got {seed}")
    if profile not in PROFILES:
        raise ValueError(f"unknown --profile {profile!r}; expected one of {', '.join(PROFILES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown --format {fmt!r}; expected one of {', '.join(FORMATS)}")


def generate(out: Path, stays: int = DEFAULT_STAYS, seed: int = DEFAULT_SEED, profile: str = "default",
             fmt: str = "csv.gz", progress=None) -> dict:
    """Write a synthetic MIMIC-IV source (hosp/, icu/) to `out` atomically; returns row counts."""
    validate(stays, seed, profile, fmt)
    settings = PROFILES[profile]
    t0 = time.perf_counter()
    with AtomicDirectory(Path(out)) as root, ThreadPoolExecutor(max_workers=2) as pool:
        writers = {name: TableWriter(root, name, fmt, pool) for name in TABLES}
        try:
            writers["d_items"].write(tables.d_items())
            writers["d_labitems"].write(tables.d_labitems())
            remaining, chunk = stays, 0
            while remaining > 0:
                pop = sample_population(seed, chunk, settings)
                if len(pop.stay_id) > remaining:
                    pop = truncate(pop, remaining)
                write_chunk(pop, chunk, writers, settings)
                remaining -= len(pop.stay_id)
                chunk += 1
                if progress:
                    progress(stays - remaining, stays)
        finally:
            for w in writers.values():
                w.close()
        counts = {name: w.rows for name, w in writers.items()}
        write_marker(root, {"generator": "synthmimic", "version": GENERATOR_VERSION, "seed": seed,
                            "stays": stays, "profile": profile, "format": fmt,
                            "patients_per_chunk": settings.patients_per_chunk, "rows": counts})
    return {"rows": counts, "seconds": time.perf_counter() - t0}


def write_chunk(pop: Population, chunk: int, writers: dict[str, TableWriter], profile: Profile) -> None:
    ids = tables.Ids(chunk)
    writers["patients"].write(tables.patients(pop))
    writers["admissions"].write(tables.admissions(pop))
    writers["icustays"].write(tables.icustays(pop))
    writers["transfers"].write(tables.transfers(pop, ids))
    writers["services"].write(tables.services(pop))
    writers["diagnoses_icd"].write(tables.diagnoses_icd(pop))
    vaso = tables.vasoactive_plan(pop)
    writers["inputevents"].write(tables.inputevents(pop, vaso, ids, profile.fluid_rows_per_day))
    grid = tables.hourly_grid(pop)
    writers["chartevents"].write(concat(tables.chartevents(pop, grid, vaso.stop_h, profile.chart_padding_per_hour)))
    writers["outputevents"].write(tables.outputevents(pop, grid))
    writers["procedureevents"].write(tables.procedureevents(pop, ids))
    writers["labevents"].write(concat(tables.labevents(pop, ids, profile.lab_padding)))
    presc, micro = tables.infection_workup(pop, ids)
    writers["prescriptions"].write(presc)
    writers["microbiologyevents"].write(micro)


def concat(parts) -> pa.Table:
    """One table from the builder's parts (a chunk's chartevents or labevents)."""
    return pa.concat_tables(list(parts)).combine_chunks()
