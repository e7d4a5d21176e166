"""The hourly charting grid of every stay, shared by chartevents and outputevents."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..population import Population
from .layout import H, ragged


class HourlyGrid(NamedTuple):
    """One row per stay and charting hour."""
    stay: np.ndarray      # stay index
    k: np.ndarray         # hour number within the stay (0 = first full hour)
    t: np.ndarray         # epoch seconds
    t_h: np.ndarray       # hours after intime


def hourly_grid(pop: Population) -> HourlyGrid:
    """Charting hours of every stay: from intime rounded up to the hour, hourly until outtime."""
    first = pop.intime + (-pop.intime) % H
    n = np.maximum((pop.outtime - first) // H + 1, 0)
    own, k = ragged(n)
    t = first[own] + k * H
    return HourlyGrid(stay=own, k=k, t=t, t_h=(t - pop.intime[own]) / H)
