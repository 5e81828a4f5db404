"""Progress of long commands on a terminal: done of total, rate, time left. Quiet when the output is
not a terminal (logs and pipes get only the final counts)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm


@contextmanager
def progress(label: str, total: int | None = None, unit: str = "item") -> Iterator[tqdm[Any]]:
    """A bar on stderr while the block runs; `bar.update(n)` counts work done."""
    bar: tqdm[Any] = tqdm(total=total, desc=label, unit=unit, file=sys.stderr, leave=False,
                           disable=not sys.stderr.isatty(), dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
