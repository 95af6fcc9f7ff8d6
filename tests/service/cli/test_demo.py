"""`ndrguard demo`, the README's first command: the service on the generated demo mailbox."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ndrguard.service.store.state import State, VerdictState


def test_demo_quarantines_the_backscatter_and_keeps_the_real_bounces(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "ndrguard.service.cli.main", "demo", "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Judged differently" not in done.stdout
    state = State(home / "state.sqlite")
    try:
        rows = state.verdicts("demo", limit=10_000)
    finally:
        state.close()
    quarantined = [r for r in rows if r.state is VerdictState.QUARANTINED]
    kept_real = [r for r in rows if r.state is VerdictState.KEPT and r.verdict == "legit"]
    assert {r.verdict for r in quarantined} == {"backscatter"}
    assert len(kept_real) == 7
    reasons = " ".join(r.reason for r in kept_real)
    for proof in ("BATV tag", "wrote this bounce itself", "Sent folder"):
        assert proof in reasons, f"no kept bounce was proven by {proof!r}"
    # Every quarantined message is in the quarantine folder, nothing was lost or doubled.
    files = list((home / "Mail" / ".Backscatter" / "new").iterdir()) + list(
        (home / "Mail" / ".Backscatter" / "cur").iterdir()
    )
    assert len(files) == len(quarantined)
