"""bench/imap_scan.py end to end with small numbers: does it run and report sanely?

Not a speed test: 300 messages say nothing about a 100,000-message inbox, so no target is
checked here. What is checked is what a reader of the report relies on: every section is
there, the counts match what was asked for, every message is accounted for, and the targets
are all listed with a verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.dovecot import dovecot_missing_reason

BENCH = Path(__file__).resolve().parents[2] / "bench" / "imap_scan.py"

pytestmark = pytest.mark.imap


def test_imap_scan_bench_runs_end_to_end_on_small_numbers() -> None:
    reason = dovecot_missing_reason()
    if reason:
        pytest.skip(reason)
    done = subprocess.run(
        [sys.executable, str(BENCH), "--messages", "300", "--bounce-ratio", "0.1",
         "--latency", "3", "--flood", "40", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["population"] == {**report["population"], "messages": 300, "bounces": 30,
                                    "ordinary": 270}  # fmt: skip
    scan = report["first_scan"]
    assert scan["exit"] == 0 and "30 quarantined" in scan["said"]
    assert 0 < scan["pass_seconds"] <= scan["process_seconds"]
    assert scan["rss_before_mb"] <= scan["peak_mb"]
    assert report["latency"]["count"] == 3
    assert 0 < report["latency"]["p50"] <= report["latency"]["max"]
    assert report["flood"]["bounces"] == 40 and report["flood"]["quarantined_per_second"] > 0
    accounted = report["accounted_for"]
    assert accounted["ok"], accounted
    assert (accounted["inbox"], accounted["quarantine"]) == (270, 30 + 3)
    assert (accounted["flood inbox"], accounted["flood quarantine"]) == (0, 40)
    assert [t["name"] for t in report["targets"]] == [
        "first scan time", "first scan peak memory", "arrival-to-quarantine p95",
        "flood: all quarantined, none lost",
    ]  # fmt: skip
    assert all(isinstance(t["met"], bool) for t in report["targets"])
