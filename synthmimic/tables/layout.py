"""Ragged layouts (rows per owner), time units and rounding: the index arithmetic of every builder."""
from __future__ import annotations

import numpy as np

from ..latent import SECONDS_PER_HOUR

H = SECONDS_PER_HOUR
MIN = 60


def ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Owner index and position within owner for a ragged layout with the given counts."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    local = np.arange(owner.size) - np.repeat(starts, counts)
    return owner, local


def group_cumsum(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each group of a ragged layout."""
    cs = np.cumsum(x)
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)] if len(cs) else 0, 0)
    return cs - np.repeat(before, counts)


def round_to_minute(t: np.ndarray) -> np.ndarray:
    return t - np.mod(t, 60)
