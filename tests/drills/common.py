"""What every drill shares: its size (the short form for CI, the long one when bench/drills.py
runs them with NDRGUARD_DRILLS=long) and its verdict line, counted from the server."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tests.service.imap_util import ids, message_ids_in
from tests.support.dovecot import Account, Dovecot

LONG = os.environ.get("NDRGUARD_DRILLS") == "long"


def size(short: int, long: int) -> int:
    return long if LONG else short


@dataclass(frozen=True)
class Tally:
    lost: int
    duplicated: int
    misplaced: int

    def line(self, name: str, seconds: float, **figures: object) -> str:
        extra = "".join(f", {k.replace('_', ' ')} {v}" for k, v in figures.items())
        return (f"DRILL {name}: {seconds:.1f} s, lost {self.lost}, duplicated "
                f"{self.duplicated}, misplaced {self.misplaced}{extra}")  # fmt: skip


def tally(
    server: Dovecot,
    login: Account,
    inbox: Iterable[bytes],
    quarantine: Iterable[bytes],
    folders: Iterable[str] = ("INBOX", "Backscatter"),
) -> Tally:
    """Every Message-ID counted in `folders` (\\Deleted left out) against where its verdict
    says it belongs: the first of `folders` for `inbox`, the second for `quarantine`."""
    where = list(folders)
    want = {where[0]: Counter(ids(inbox)), where[1]: Counter(ids(quarantine))}
    got = {f: message_ids_in(server, login, f) for f in where}
    everything: Counter[str] = Counter()
    for found in got.values():
        everything += found
    wanted = want[where[0]] + want[where[1]]
    lost = sum((wanted - everything).values())
    duplicated = sum(n - 1 for n in everything.values() if n > 1)
    misplaced = sum(
        sum(((w - got[f]) - (wanted - everything)).values()) for f, w in want.items()
    )
    return Tally(lost, duplicated, misplaced)


def report(name: str, seconds: float, result: Tally, **figures: object) -> None:
    """Print the drill's line (pytest -s shows it; bench/drills.py collects it), then hold it
    to zero."""
    print("\n" + result.line(name, seconds, **figures), flush=True)
    assert result == Tally(0, 0, 0), result.line(name, seconds, **figures)
