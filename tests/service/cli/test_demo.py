"""`ndrguard demo`, the README's first command: the service on the generated demo mailbox, and
its output exact and runnable as printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service.store.state import State, VerdictState

NDRGUARD = Path(sys.executable).parent / "ndrguard"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One demo run, by the installed `ndrguard` script as a user runs it; its home, output."""
    home = tmp_path_factory.mktemp("demo") / "home"
    env = {k: v for k, v in os.environ.items() if k != "NDRGUARD_HOME"}
    done = subprocess.run(
        [str(NDRGUARD), "demo", "--home", str(home)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return home, done.stdout


def test_demo_quarantines_the_backscatter_and_keeps_the_real_bounces(demo) -> None:
    home, out = demo
    assert "Judged differently" not in out
    state = State(home / "state.sqlite")
    try:
        rows = state.verdicts("demo", limit=10_000)
    finally:
        state.close()
    quarantined = [r for r in rows if r.state is VerdictState.QUARANTINED]
    kept_real = [r for r in rows if r.state is VerdictState.KEPT and r.verdict == "legit"]
    assert {r.verdict for r in quarantined} == {"backscatter"}
    assert len(kept_real) == 7
    assert not [r for r in rows if r.state is VerdictState.QUARANTINE_PENDING], "moves unmade"
    reasons = " ".join(r.reason for r in kept_real)
    for proof in ("BATV tag", "wrote this bounce itself", "Sent folder"):
        assert proof in reasons, f"no kept bounce was proven by {proof!r}"
    # Every quarantined message is in the quarantine folder, nothing was lost or doubled.
    files = list((home / "Mail" / ".Backscatter" / "new").iterdir()) + list(
        (home / "Mail" / ".Backscatter" / "cur").iterdir()
    )
    assert len(files) == len(quarantined)


def _section(out: str, heading: str) -> list[str]:
    lines = out.split(heading, 1)[1].split("\n\n", 1)[0].strip("\n").splitlines()
    return [line for line in lines if line.startswith("  [")]


def test_headings_match_what_they_list_and_ids_are_shown(demo) -> None:
    home, out = demo
    proven = _section(out, "Kept in the inbox, with the proof:\n")
    assert len(proven) == 7
    block = out.split("Kept in the inbox, with the proof:\n", 1)[1].split("\n\n", 1)[0]
    assert "Undecided" not in block, "an undecided message listed as proven"
    undecided = out.split("Kept in the inbox, undecided", 1)[1].split("\n\n", 1)[0]
    assert "Undecided: nothing proves" in undecided
    shown = [int(m) for m in re.findall(r"^  \[(\d+)\]", out.split("Quarantined in")[1], re.M)]
    state = State(home / "state.sqlite")
    try:
        by_id = {r.id: r for r in state.verdicts("demo", limit=10_000)}
    finally:
        state.close()
    assert shown and all(by_id[i].state is VerdictState.QUARANTINED for i in shown)
    # "generated as" is explained, and its sum is the count quarantined.
    m = re.search(r"Backscatter: (\d+) in the burst of \d+, plus (\d+) already in the inbox"
                  r".* = (\d+)\.", out)  # fmt: skip
    assert m, out
    burst, waiting, total = map(int, m.groups())
    assert burst + waiting == total
    assert f"Quarantined in Backscatter: {total} messages" in out
    for line in out.splitlines():
        if line.strip().split(" x ", 1)[-1].startswith("Backscatter"):
            assert "real bounce" not in line, f"two voices in one reason: {line}"


def test_the_printed_commands_run_as_printed(demo) -> None:
    home, out = demo
    tries = [line.split(": ", 1)[1] for line in out.splitlines()
             if line.startswith(("Try: ", "  or: "))]  # fmt: skip
    summary, restore, run = (t.split("   (")[0] for t in tries)
    assert summary == f"NDRGUARD_HOME={home} {NDRGUARD} summary"
    env = {k: v for k, v in os.environ.items() if k != "NDRGUARD_HOME"}
    env["PATH"] = "/usr/bin:/bin"  # no venv on PATH, as after `scripts/setup`
    done = subprocess.run(["sh", "-c", summary + " --json"], capture_output=True, text=True,
                          env=env, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    verdicts = json.loads(done.stdout)["verdicts"]
    assert sum(v["state"] == "quarantined" for v in verdicts) > 0
    done = subprocess.run(["sh", "-c", restore], capture_output=True, text=True, env=env,
                          timeout=60)  # fmt: skip
    ident = restore.rsplit(" ", 1)[1]
    assert done.returncode == 0 and done.stdout == f"restored message {ident} to demo/INBOX\n", (
        done.stdout + done.stderr
    )
    assert run.endswith(f"{NDRGUARD} run")
