"""The long forms of the drills in tests/drills/ (longer faults, bigger floods), with their lines.

    .venv/bin/python bench/drills.py [-k EXPR]
    .venv/bin/python bench/drills.py -k "network or suspend or every_folder"   # liveness

Runs pytest on tests/drills with NDRGUARD_DRILLS=long and prints each `DRILL ...` line. The
network and suspend drills hold each fault as long as issue 12 asks (3 minutes of black hole,
2 of link down, a minute of a frozen server, 2 minutes stopped) and print time to notice, the
cause told, time to recover and messages lost / duplicated / misplaced; the every-folder drill
prints arrival-to-quarantine p50/p95 per folder over 100 bounces each; the flood drills print
time and messages lost / duplicated / misplaced. Each drill asserts its zeros, so a non-zero
exit names the drill that failed. docs/service.md holds the figures of the last run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    env = {**os.environ, "NDRGUARD_DRILLS": "long"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "drills"), *argv],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    # A drill's line may follow pytest's progress dot on the same line: found anywhere.
    lines = [ln[ln.index("DRILL "):] for ln in done.stdout.splitlines() if "DRILL " in ln]
    failed = [ln for ln in done.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    print("\n".join(lines + failed) or done.stdout[-3000:])
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:])
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
