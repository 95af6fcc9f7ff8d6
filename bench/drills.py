"""The long forms of the drills in tests/drills/ (bigger floods), with their figure lines.

    .venv/bin/python bench/drills.py [-k EXPR]

Runs pytest on tests/drills with NDRGUARD_DRILLS=long and prints each `DRILL ...` line:
time, messages lost / duplicated / misplaced, and the drill's own figures.
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
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("DRILL ")]
    print("\n".join(lines) or done.stdout[-3000:])
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:])
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
