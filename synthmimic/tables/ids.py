"""Row identifiers unique across the whole output."""
from __future__ import annotations

import numpy as np


class Ids:
    """Row identifiers unique across the whole output (chunk-based ranges)."""

    def __init__(self, chunk: int):
        self.chunk = chunk
        self.next = {}

    def take(self, kind: str, n: int, base: int, span: int = 10_000_000) -> np.ndarray:
        start = self.next.get(kind, 0)
        self.next[kind] = start + n
        if start + n > span:
            raise OverflowError(f"{kind}: more than {span} ids in chunk {self.chunk}")
        return base + self.chunk * span + start + np.arange(n, dtype=np.int64)
