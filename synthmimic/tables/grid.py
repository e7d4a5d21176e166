"""The hourly charting grid of every stay, shared by chartevents and outputevents."""
from __future__ import annotations

import numpy as np

from ..latent import Population
from .layout import H, ragged


def hourly_grid(pop: Population) -> dict:
    """Charting hours of every stay: from intime rounded up to the hour, hourly until outtime."""
    first = pop.intime + (-pop.intime) % H
    n = np.maximum((pop.outtime - first) // H + 1, 0)
    own, k = ragged(n)
    t = first[own] + k * H
    return {"stay": own, "k": k, "t": t, "t_h": (t - pop.intime[own]) / H}
