"""Every watched folder live (issue 12 item 4): a bounce arriving in the second watched folder
reaches the quarantine as fast as one in INBOX.

`ndrguard run` watches INBOX and Lists (poll_seconds left at its default of 60 s, so a polled
folder could not pass). Bounces are APPENDed one at a time, alternating between the two
folders; for each, the clock runs from the server's OK to the APPEND until `STATUS Backscatter`
on another connection shows one more (polled every 10 ms). Prints p50/p95 per folder.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import pytest

from tests.drills.common import size
from tests.drills.harness import Count, add_account, count, service
from tests.service.imap_util import client, drill_bounces

pytestmark = [pytest.mark.drill, pytest.mark.imap]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def test_a_bounce_in_the_second_folder_is_as_fast_as_in_inbox(
    dovecot_factory, tmp_path: Path
) -> None:
    server = dovecot_factory(mailboxes=("Sent", "Lists"))
    login = server.accounts[0]
    home = tmp_path / "home"
    env = add_account(home, server, login, server.host, server.imaps_port,
                      'folders = ["INBOX", "Lists"]\n')  # fmt: skip
    n = size(12, 100)
    mail = drill_bounces(2 * n, tag="every")
    rng = random.Random(12)
    latency: dict[str, list[float]] = {"INBOX": [], "Lists": []}
    with service(env, home) as timeline:
        assert timeline.seen[-1].detail == "INBOX: IDLE; Lists: IDLE (own connection)"
        writer, watcher = client(server, login), client(server, login)
        try:
            quarantined = 0
            for i, raw in enumerate(mail):
                folder = ("INBOX", "Lists")[i % 2]
                writer.append(folder, raw)
                appended = time.monotonic()
                deadline = appended + 30
                while time.monotonic() < deadline:
                    got = watcher.folder_status("Backscatter", [b"MESSAGES"])[b"MESSAGES"]
                    if got > quarantined:
                        break
                    time.sleep(0.01)
                else:
                    pytest.fail(f"bounce {i} in {folder} not quarantined in 30 s")
                quarantined = got
                latency[folder].append(time.monotonic() - appended)
                time.sleep(rng.uniform(0.1, 0.3))  # each lands on an IDLE, not on a pass
        finally:
            writer.logout()
            watcher.logout()
    tally = count(server, login, [], mail)
    for folder, values in latency.items():
        print(f"DRILL every-folder {folder}: {len(values)} bounces, arrival to quarantine "
              f"p50 {statistics.median(values):.2f} s, p95 {p95(values):.2f} s, "
              f"max {max(values):.2f} s")  # fmt: skip
    print(f"DRILL every-folder: lost {tally.lost}, duplicated {tally.duplicated}, "
          f"misplaced {tally.misplaced}")  # fmt: skip
    assert tally == Count(0, 0, 0)
    assert p95(latency["Lists"]) < 2.0, latency["Lists"]
    assert p95(latency["Lists"]) <= p95(latency["INBOX"]) + 0.5, latency
