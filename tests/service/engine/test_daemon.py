"""The service object in-process, on a local Maildir: the user's controls and the worker's errands.

Each test names what the user did: pressed "scan now" while the account was watching, paused
and then restarted the machine, restored a message while the worker watched the same Maildir,
opened the summary of bounces whose messages the service should not have to read again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ndrguard.service.api.ops import ServiceOperations
from ndrguard.service.api.queries import Queries
from ndrguard.service.cli.demo import lay_out
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.service.engine import daemon, worker
from ndrguard.service.engine.daemon import Service
from ndrguard.service.engine.scanner import Scanner
from ndrguard.service.mailboxes.base import Mailbox
from ndrguard.service.settings.config import ConfigError, load
from ndrguard.service.store.state import State, VerdictState
from tests.support.procs import wait_until


@pytest.fixture
def home(tmp_path: Path) -> Path:
    lay_out(tmp_path, demo_mailbox.build(burst=0))
    return tmp_path


@pytest.fixture
def state(home: Path) -> Iterator[State]:
    s = State(home / "state.sqlite")
    yield s
    s.close()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Mailbox]:
    """Every mailbox the worker opens, in order (a reconnect would add one)."""
    boxes: list[Mailbox] = []
    real = worker.open_mailbox

    def spy(*args: object) -> Mailbox:
        box = real(*args)  # type: ignore[arg-type]
        boxes.append(box)
        return box

    monkeypatch.setattr(worker, "open_mailbox", spy)
    return boxes


def watching(service: Service) -> None:
    wait_until(
        lambda: all(s.state == "watching" for s in service.statuses.values())
        and len(service.statuses) == len(service.config.accounts),
        timeout=60, what="the accounts to be watching",
    )  # fmt: skip


def test_scan_now_runs_a_pass_on_the_open_connection(home, state, opened, monkeypatch):
    passes: list[float] = []
    real_pass = Scanner.run_pass

    def counted(self: Scanner) -> object:
        passes.append(time.monotonic())
        return real_pass(self)

    monkeypatch.setattr(Scanner, "run_pass", counted)
    service = Service(load(home / "config.toml"), state)
    service.apply(service.config)
    try:
        watching(service)
        before = len(passes)
        asked = time.monotonic()
        assert service.scan_now() == ["demo"]
        wait_until(lambda: len(passes) > before, timeout=5, what="the pass after the poke")
        assert passes[-1] - asked < 1.0, "a poke ends the file-event wait at once"
        assert len(opened) == 1, "scan now must not reconnect"
    finally:
        service.stop()


def test_errands_run_on_the_workers_own_mailbox_between_passes(home, state, opened):
    service = Service(load(home / "config.toml"), state)
    service.apply(service.config)
    try:
        watching(service)
        seen: list[tuple[Mailbox, str]] = []

        def errand(box: Mailbox) -> str:
            seen.append((box, threading.current_thread().name))
            return "done"

        assert service.on_mailbox("demo", errand) == "done"
        assert seen == [(opened[0], "ndrguard-demo")]
    finally:
        service.stop()


def test_restore_while_watching_is_done_by_the_worker(home, state, opened, monkeypatch):
    def no_second_mailbox(*_args: object) -> Mailbox:
        raise AssertionError("a mailbox was opened beside the running worker")

    monkeypatch.setattr(daemon, "open_mailbox", no_second_mailbox)
    service = Service(load(home / "config.toml"), state)
    service.apply(service.config)
    try:
        watching(service)
        (row,) = state.verdicts("demo", [VerdictState.QUARANTINED], limit=1)
        assert service.restore([row]) == ([row.id], {})
        assert service.restore([row])[1] == {row.id: "it is not in quarantine (it is restored)"}
        back = state.verdict(row.id)
        assert back is not None and back.state is VerdictState.RESTORED
    finally:
        service.stop()


def test_a_pause_outlasts_a_restart_until_resumed(home: Path) -> None:
    config = load(home / "config.toml")
    state = State(home / "state.sqlite")
    service = Service(config, state)
    service.apply(config)
    try:
        watching(service)
        service.pause()
        assert service.workers == {}
        assert service.account_states()[0]["state"] == "paused"
    finally:
        service.stop()
        state.close()
    state = State(home / "state.sqlite")  # the machine restarted
    service = Service(config, state)
    service.apply(config)
    try:
        assert service.workers == {} and service.account_states()[0]["state"] == "paused"
        service.resume()
        watching(service)
        assert state.paused() == set()
    finally:
        service.stop()
        state.close()


def test_pausing_an_unknown_account_names_the_known_ones(home, state):
    service = Service(load(home / "config.toml"), state)
    with pytest.raises(ConfigError, match=r"no account named 'nope'.*demo"):
        service.pause(["nope"])
    assert state.paused() == set()


def test_the_summary_gets_each_bounces_facts_without_reading_the_message(home, state):
    service = Service(load(home / "config.toml"), state)
    service.apply(service.config)
    try:
        watching(service)
    finally:
        service.stop()
    rows = state.verdicts("demo", limit=10_000)
    bounces = [r for r in rows if r.verdict != "not-a-bounce"]
    assert bounces and all(r.facts is not None for r in bounces)
    assert all(r.facts is None for r in rows if r.verdict == "not-a-bounce")
    real = [r.facts for r in bounces if r.verdict == "legit"]
    assert any(f["recipients"] and f["reporting_mta"] for f in real)

    def unreadable(*_args: object) -> object:
        raise AssertionError("the message was read again")

    service.on_mailbox = unreadable
    queries = Queries(home / "state.sqlite")
    try:
        ops = ServiceOperations(service, queries, changed=lambda _ids: None)
        assert ops.facts_for([r.id for r in bounces]) == {r.id: r.facts for r in bounces}
    finally:
        queries.close()
