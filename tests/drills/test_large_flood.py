"""Drill: a flood of large bounces (a mail with an 8.5 MB attachment sent to a dead list).
Whole messages must be fetched in batches bounded by bytes (RFC822.SIZE first), not 500 at a
time, so that the service's peak memory stays under its bound (250 MB) however large each
bounce is; every one still ends in quarantine exactly once. CI runs 14 of 6 MB (84 MB, which
the old count-bounded fetch held at once); bench/drills.py runs 500 of 8.5 MB."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ndrguard.service.mailboxes import imap as imap_backend
from ndrguard.service.mailboxes.base import FETCH_BYTES
from tests.drills.common import large_bounce, report, size, tally
from tests.service.imap_util import (
    ROOT,
    add_account,
    append_pipelined,
    drill_ordinary,
    service_env,
)

pytestmark = [pytest.mark.imap, pytest.mark.drill, pytest.mark.slow]

PEAK_MB = 250

# `ndrguard scan` in a child that records each whole-message FETCH (how many bytes it asked
# for) and reads its own peak RSS (VmHWM) at the end.
CHILD = """
import json, sys
from pathlib import Path
from ndrguard.service.mailboxes import imap
runs = []
real = imap.ImapMailbox._fetch
def fetch(self, folder, uids, items):
    got = real(self, folder, uids, items)
    if items == [b"BODY.PEEK[]"]:
        runs.append(sum(len(i[b"BODY[]"]) for i in got.values()))
    return got
imap.ImapMailbox._fetch = fetch
from ndrguard.service.cli.main import main
code = main(["scan"])
hwm = next(int(l.split()[1]) for l in Path("/proc/self/status").read_text().splitlines()
           if l.startswith("VmHWM:"))
print(json.dumps({"exit": code, "runs": runs, "peak_mb": hwm / 1024}))
"""


def test_flood_of_large_bounces_is_fetched_by_bytes_under_the_memory_bound(
    dovecot_factory, tmp_path: Path
) -> None:
    began = time.monotonic()
    n, each = size(14, 500), size(6_000_000, 8_500_000)
    server = dovecot_factory()
    login = server.accounts[0]
    ordinary = drill_ordinary(10)
    append_pipelined(server, login, ordinary)
    bounces = []
    for i in range(n):  # appended as made: 500 of them would not fit in this process at once
        raw = large_bounce(i, each)
        append_pipelined(server, login, [raw], window=1)
        bounces.append(raw[:4096] if len(raw) > 4096 else raw)  # the Message-ID is near the top
    env = service_env(tmp_path / "home")
    add_account(env, "big", server, login)
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, text=True,
                          capture_output=True, timeout=size(600, 3600))  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["exit"] == 0, done.stderr[-3000:]
    runs = figures["runs"]
    result = tally(server, login, ordinary, bounces)
    report("large-flood", time.monotonic() - began, result, bounces=n, each_mb=each / 1e6,
           fetches=len(runs), largest_fetch_mb=round(max(runs) / 1e6, 1),
           peak_rss_mb=round(figures["peak_mb"], 1))  # fmt: skip
    # Each FETCH of whole messages stays within the byte budget (one message alone may not).
    assert all(r <= FETCH_BYTES or r <= each * 1.05 for r in runs), runs
    assert len(runs) >= n * each // FETCH_BYTES, "not batched by bytes"
    assert figures["peak_mb"] < PEAK_MB, f"peak RSS {figures['peak_mb']:.0f} MB"


def test_byte_batches_cut_by_size_and_keep_a_large_message_alone() -> None:
    sizes = {1: 10, 2: 10, 3: 100, 4: 5, 5: 5, 6: 1}
    assert imap_backend.byte_batches(sizes, [1, 2, 3, 4, 5, 6, 7], limit=25) == [
        [1, 2], [3], [4, 5, 6]
    ]  # fmt: skip
