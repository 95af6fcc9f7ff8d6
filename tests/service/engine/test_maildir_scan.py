"""`ndrguard scan` over a local Maildir (the mbsync/offlineimap and demo case), crashes included.

The mail is the project's own sample set (service/demo/mail.py): ordinary mail, a burst of
bounces of several MTAs, delay warnings, auto-replies and ARF reports, all to the demo user.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ndrguard.service.demo import mail as demo_mail

NDRGUARD = [sys.executable, "-m", "ndrguard.service.cli.main"]
ROOT = Path(__file__).resolve().parents[3]


def make_maildir(root: Path, count: int) -> dict[str, str]:
    """A Maildir++ with `count` sample messages in new/ (mbsync-style names) and an empty Sent
    folder (without one, bounces that name a Message-ID wait for it); hash -> kind."""
    for base in (root, root / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (base / sub).mkdir(parents=True, exist_ok=True)
    made = {}
    for i, s in enumerate(demo_mail.generate(count)):
        name = f"{1_700_000_000 + i}.M{i}P4242.host,U={i + 1}"
        (root / "new" / name).write_bytes(s.data)
        made[hashlib.sha256(s.data).hexdigest()] = s.expected
    return made


def contents(folder: Path) -> list[str]:
    return sorted(
        hashlib.sha256(p.read_bytes()).hexdigest()
        for sub in ("cur", "new")
        if (folder / sub).is_dir()
        for p in (folder / sub).iterdir()
    )


def setup_home(tmp_path: Path, count: int, policy: str = "block-all") -> tuple[dict, Path, dict]:
    maildir = tmp_path / "Maildir"
    made = make_maildir(maildir, count)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'[[accounts]]\nname = "local"\nmaildir = "{maildir}"\npolicy = "{policy}"\n'
    )
    env = {**os.environ, "NDRGUARD_HOME": str(home)}
    return env, maildir, made


def scan(env: dict, *args: str, module: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*(module or NDRGUARD), "scan", "--account", "local", *args],
        env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip


def quarantined_kinds(made: dict[str, str], maildir: Path) -> set[str]:
    return {made[h] for h in contents(maildir / ".Backscatter")}


def test_scan_quarantines_bounces_and_keeps_ordinary_mail(tmp_path: Path) -> None:
    env, maildir, made = setup_home(tmp_path, 90)
    done = scan(env)
    assert done.returncode == 0, done.stderr
    inbox, quarantine = contents(maildir), contents(maildir / ".Backscatter")
    assert sorted(inbox + quarantine) == sorted(made)
    assert {made[h] for h in inbox} == {"other", "feedback"}  # ARF is kept without proof
    assert quarantined_kinds(made, maildir) == {"failure", "delay", "autoreply"}
    # mbsync's ",U=" is dropped on the way, so mbsync uploads instead of confusing UIDs.
    assert not any(",U=" in p.name for p in (maildir / ".Backscatter" / "new").iterdir())
    again = scan(env)
    assert again.returncode == 0, again.stderr
    assert "0 judged, 0 quarantined" in again.stdout
    assert contents(maildir / ".Backscatter") == quarantine


def test_dry_run_moves_nothing_and_remembers_nothing(tmp_path: Path) -> None:
    env, maildir, made = setup_home(tmp_path, 30)
    dry = scan(env, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would quarantine" in dry.stdout
    assert contents(maildir) == sorted(made)
    real = scan(env)
    assert "10 judged" in real.stdout  # nothing was remembered by the dry run


def test_monitor_policy_moves_nothing(tmp_path: Path) -> None:
    env, maildir, made = setup_home(tmp_path, 30, policy="monitor")
    assert scan(env).returncode == 0
    assert contents(maildir) == sorted(made)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 250, 499])
def test_sigkill_in_the_middle_of_a_batch_then_restart_moves_every_message_once(
    tmp_path: Path, kill_after: int
) -> None:
    """The service is killed (SIGKILL) right after a rename inside a 500-message batch."""
    env, maildir, made = setup_home(tmp_path, 1800)  # 600 bounces and look-alikes
    crashing = [sys.executable, "-m", "tests.service.engine.crashing_scan", str(kill_after)]
    crashed = scan(env, module=crashing)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    moved_before = len(contents(maildir / ".Backscatter"))
    assert moved_before == kill_after
    again = scan(env)
    assert again.returncode == 0, again.stderr
    assert "500 unfinished move(s) settled" in again.stdout  # the whole batch was journalled
    inbox, quarantine = contents(maildir), contents(maildir / ".Backscatter")
    assert sorted(inbox + quarantine) == sorted(made)  # every message exactly once
    assert {made[h] for h in inbox} == {"other", "feedback"}
    assert quarantined_kinds(made, maildir) == {"failure", "delay", "autoreply"}
    assert len(quarantine) == sum(1 for k in made.values() if k not in ("other", "feedback"))
