"""Progress of a long scan on the command line: a bar redrawn in place on a terminal, plain
lines when stderr is a pipe or a file (a bar's carriage returns make a log unreadable).

On stderr, so that what a command prints as its result (`scan`'s tallies, `--json`) stays
alone on stdout.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from ndrguard.service.engine.scanner import Progress

WIDTH = 30  # characters of the bar
PLAIN_EVERY = 2.0  # seconds between plain lines (the first and the last always print)


class ProgressOutput:
    def __init__(
        self,
        prefix: str,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = prefix
        self.out = out or sys.stderr
        self.terminal = self.out.isatty()
        self._clock = clock
        self._last = -PLAIN_EVERY
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        done = p.done >= p.total
        share = p.done / p.total if p.total else 1.0
        if self.terminal:
            filled = round(WIDTH * share)
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.out.write(f"\r{self.prefix}{p.what}: [{bar}] {p.done}/{p.total} "
                           f"{share:4.0%}")  # fmt: skip
            self._drawn = not done
            if done:
                self.out.write("\n")
        else:
            now = self._clock()
            if not (done or p.done == 0 or now - self._last >= PLAIN_EVERY):
                return
            self._last = now
            self.out.write(f"{self.prefix}{p.what}: {p.done} of {p.total} ({share:.0%})\n")
        self.out.flush()

    def close(self) -> None:
        """End a bar cut short (Ctrl-C, an error), so the next line starts on its own."""
        if self._drawn:
            self.out.write("\n")
            self._drawn = False
