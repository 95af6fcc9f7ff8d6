"""The mutation fuzzer (bench/fuzz.py) in CI: a fixed seed, a budget of about 15 seconds.

It mutates the project's real-MTA mail (tests/data/**/*.eml) the way hostile senders and broken
software do and runs each mutant through everything the service does with a message. The
budget must find no exception, no message over 2 s and no message whose judging takes the
process over 300 MB of RSS. A run in its own process, so that its peak memory is its own; the
longer run is `python bench/fuzz.py --seconds 3600`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parents[2] / "bench" / "fuzz.py"
SEED = 20261203
COUNT = 1200  # mutants: the same ones on every machine (the time cap below only guards CI)


def test_fuzz_budget_finds_nothing() -> None:
    done = subprocess.run(
        [sys.executable, str(FUZZ), "--seed", str(SEED), "--count", str(COUNT),
         "--seconds", "120", "--slow", "2", "--rss-mb", "300", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.stdout, done.stderr
    summary = json.loads(done.stdout)
    found = "\n".join(
        f"mutant {f['mutant']} of {f['seed_file']} via {'+'.join(f['ops'])}: {f['problems']}"
        for f in summary["found"]
    )
    assert not summary["found"], f"seed {SEED}, --count {COUNT}:\n{found}"
    assert summary["mutants"] == COUNT, f"only {summary['mutants']} mutants within the time cap"
    assert summary["peak_rss_per_message"], "no per-message peak RSS on this system"
    assert summary["peak_rss_mb"] < 300, summary["biggest"]
    assert summary["slowest"]["seconds"] < 2, summary["slowest"]
    assert done.returncode == 0, done.stderr
