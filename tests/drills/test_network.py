"""Networks that vanish (issue 12 item 2), drilled for real in a network namespace.

`ndrguard run` reaches Dovecot through a relay inside a namespace made for the drill
(tests/support/netns.py), and the drill breaks the path: packets dropped (while idle in IDLE,
and with a command in flight), the link down, the server frozen, the server killed and started
again in the middle of a flood, a NAT box that forgets its connections (with a reset, and
silently). Each drill measures how long the service took to notice, checks the cause it told
the user, measures how long it took to watch again once the fault was over, and counts the
messages: those that arrived meanwhile must be caught up, none lost, duplicated or misplaced.

The bounds asserted are the ones docs/service.md states; `bench/drills.py` runs the long
versions (3 minutes of black hole, 2 of link down).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.drills.harness import (
    Count,
    Timeline,
    add_account,
    count,
    hold,
    report,
    service,
    wait_quarantined,
)
from tests.service.imap_util import append_pipelined, drill_bounces, drill_ordinary
from tests.support.dovecot import Account, Dovecot, make_certificate
from tests.support.netns import NetNs, Relay, netns_missing_reason
from tests.support.procs import wait_until

pytestmark = [pytest.mark.drill, pytest.mark.imap]

NO_ANSWER = ("no answer from the server",)
# A link taken down shows as silence (the probes go nowhere) or as no route, by timing.
LINK_DOWN = ("no answer from the server", "cannot reach the server", "network is down")
RECOVER_BOUND = 5.0


@dataclass
class Rig:
    net: NetNs
    relay: Relay
    server: Dovecot
    login: Account
    home: Path
    env: dict[str, str]


@pytest.fixture
def net() -> Iterator[NetNs]:
    reason = netns_missing_reason()
    if reason:
        pytest.skip(reason)
    with NetNs() as ns:
        yield ns


def make_rig(net: NetNs, dovecot_factory, tmp_path: Path, extra: str = "") -> Iterator[Rig]:
    cert = make_certificate(tmp_path / "ssl", ips=(net.far,))
    server = dovecot_factory(certificate=cert)
    relay = Relay(net, (server.host, server.imaps_port))
    try:
        login = server.accounts[0]
        home = tmp_path / "home"
        env = add_account(home, server, login, net.far, relay.port, extra)
        yield Rig(net, relay, server, login, home, env)
    finally:
        relay.close()


@pytest.fixture
def rig(net, dovecot_factory, tmp_path: Path) -> Iterator[Rig]:
    yield from make_rig(net, dovecot_factory, tmp_path)


@pytest.fixture
def rig_short_read(net, dovecot_factory, tmp_path: Path) -> Iterator[Rig]:
    # A hung server is found by the read timeout (or by its missing keepalives, which
    # tests/service/cli/test_run.py drills); 5 s keeps the drill short.
    yield from make_rig(net, dovecot_factory, tmp_path, "timeout_seconds = 5\n")


def deliver_until_taken(server: Dovecot, login: Account, mail: list[bytes]) -> None:
    """Deliver each message, again when the LDA gave up on a frozen server (it waits 30 s;
    an MTA would retry as well): the fault must not lose the drill's own mail."""
    for raw in mail:
        for _ in range(10):
            try:
                server.deliver(login.user, raw)
                break
            except subprocess.TimeoutExpired:
                continue


def drill(
    rig: Rig,
    name: str,
    fault: Callable[[], None],
    mend: Callable[[], None],
    held: float,
    *,
    notice_bound: float,
    causes: tuple[str, ...],
    poke: bool = False,
) -> None:
    """Mail before, during and after a fault held for `held` seconds; measured and counted.

    `poke` asks for a pass right after the fault begins ("scan now"), so that a command is
    in flight when the path breaks. Deliveries during the fault run in a thread: a frozen
    Dovecot does not take them until it is thawed.
    """
    server, login = rig.server, rig.login
    ordinary, mail = drill_ordinary(5, tag=f"{name}-o"), drill_bounces(4, tag=name)
    append_pipelined(server, login, ordinary)
    with service(rig.env, rig.home) as timeline:
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1], timeout=30)
        began = time.monotonic()
        fault()
        if poke:
            timeline.call("scan")
        try:
            noticed_at, _ = timeline.left_watching(began, timeout=notice_bound + 30)
            meanwhile = threading.Thread(target=lambda: deliver_until_taken(server, login,
                                                                          mail[1:3]))  # fmt: skip
            meanwhile.start()
            time.sleep(max(0.0, began + held - time.monotonic()))
        finally:
            mended = time.monotonic()
            mend()
        back = timeline.watching_again(mended, timeout=RECOVER_BOUND + 60)
        meanwhile.join(30)
        wait_quarantined(server, login, mail[:3], timeout=30)
        server.deliver(login.user, mail[3])
        wait_quarantined(server, login, mail, timeout=30)
    finish(rig, timeline, name, began, noticed_at, mended, back, ordinary, mail,
           notice_bound, causes)  # fmt: skip


def finish(rig: Rig, timeline: Timeline, name: str, began: float, noticed_at: float,
           mended: float, back: float, ordinary: list[bytes], mail: list[bytes],
           notice_bound: float, causes: tuple[str, ...]) -> None:  # fmt: skip
    tally = count(rig.server, rig.login, ordinary, mail)
    cause = timeline.first_failure(began)
    noticed, recovered = noticed_at - began, back - mended
    report(name, noticed, cause, recovered, tally)
    assert tally == Count(0, 0, 0), f"{name}: {tally}"
    assert any(c in cause for c in causes), f"{name}: told the user {cause!r}, not {causes}"
    assert noticed < notice_bound, f"{name}: noticed after {noticed:.1f} s"
    assert recovered < RECOVER_BOUND, f"{name}: watching again {recovered:.1f} s after the end"


def test_black_hole_while_idle(rig: Rig) -> None:
    port = rig.relay.port
    drill(rig, "black-hole-idle", lambda: rig.net.black_hole(port),
          lambda: rig.net.black_hole(port, on=False), hold(15, 180),
          notice_bound=15, causes=NO_ANSWER)  # fmt: skip


def test_black_hole_with_a_command_in_flight(rig: Rig) -> None:
    port = rig.relay.port
    drill(rig, "black-hole-command", lambda: rig.net.black_hole(port),
          lambda: rig.net.black_hole(port, on=False), hold(8, 60),
          notice_bound=6, causes=NO_ANSWER, poke=True)  # fmt: skip


def test_link_down(rig: Rig) -> None:
    drill(rig, "link-down", lambda: rig.net.link(False), lambda: rig.net.link(True),
          hold(15, 120), notice_bound=15, causes=LINK_DOWN)  # fmt: skip


def test_server_frozen_with_a_command_in_flight(rig_short_read: Rig) -> None:
    rig = rig_short_read
    drill(rig, "server-frozen", rig.server.freeze, rig.server.thaw, hold(10, 60),
          notice_bound=7, causes=NO_ANSWER, poke=True)  # fmt: skip


def test_nat_forgets_the_connection_with_a_reset(rig: Rig) -> None:
    nat_drill(rig, "nat-reset", reset=True, causes=("the connection was reset",))


def test_nat_forgets_the_connection_silently(rig: Rig) -> None:
    nat_drill(rig, "nat-silent", reset=False, causes=NO_ANSWER)


def test_nat_forgets_silently_then_answers_with_a_reset(rig: Rig) -> None:
    # The old connection's packets vanish for a while (the box has no entry and drops them),
    # then the box (or the server behind it, reached anew) answers them with a reset: the
    # first keepalive probe after that meets the reset, before silence alone would tell.
    nat_drill(rig, "nat-silent-then-reset", reset=False, causes=("the connection was reset",),
              reset_after=4.0)  # fmt: skip


def nat_drill(rig: Rig, name: str, reset: bool, causes: tuple[str, ...],
              reset_after: float | None = None) -> None:  # fmt: skip
    """The NAT box forgot the connections that were open; new ones pass at once. Nothing
    tells the service until it sends something (a keepalive probe): then a reset arrives,
    or nothing ever does (or, with `reset_after`, nothing at first and resets from then)."""
    server, login = rig.server, rig.login
    ordinary, mail = drill_ordinary(5, tag=f"{name}-o"), drill_bounces(4, tag=name)
    append_pipelined(server, login, ordinary)
    with service(rig.env, rig.home) as timeline:
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1], timeout=30)
        began = time.monotonic()
        old = rig.relay.client_ports()
        rig.net.forget(rig.relay.port, old, reset=reset)
        server.deliver(login.user, mail[1])  # unheard: the old connection is cut off
        if reset_after is not None:
            time.sleep(max(0.0, began + reset_after - time.monotonic()))
            assert timeline.state() == "watching", f"{name}: noticed before the resets began"
            rig.net.forget(rig.relay.port, old, reset=True)  # inserted first: resets win
        noticed_at, _ = timeline.left_watching(began, timeout=45)
        back = timeline.watching_again(noticed_at, timeout=RECOVER_BOUND + 60)
        server.deliver(login.user, mail[2])
        server.deliver(login.user, mail[3])
        wait_quarantined(server, login, mail, timeout=30)
    finish(rig, timeline, name, began, noticed_at, noticed_at, back, ordinary, mail, 15, causes)


def test_server_restarted_in_the_middle_of_a_flood(rig: Rig) -> None:
    server, login = rig.server, rig.login
    ordinary, flood = drill_ordinary(10, tag="flood-o"), drill_bounces(300, tag="flood")
    append_pipelined(server, login, ordinary)
    with service(rig.env, rig.home) as timeline:
        append_pipelined(server, login, flood)
        wait_quarantined(server, login, flood[:1], timeout=30)
        began = time.monotonic()
        server.kill()  # a crash: no BYE, the sessions' sockets close under them
        try:
            noticed_at, _ = timeline.left_watching(began, timeout=30)
            time.sleep(1.0)
        finally:
            mended = time.monotonic()
            server.start()
        back = timeline.watching_again(mended, timeout=RECOVER_BOUND + 60)
        wait_quarantined(server, login, flood, timeout=120)
    finish(rig, timeline, "restart-mid-flood", began, noticed_at, mended, back, ordinary,
           flood, 5, ("the server closed the connection", "the connection was reset"))  # fmt: skip


def test_a_network_change_ends_a_grown_backoff(rig: Rig) -> None:
    """The server refusing long enough for the backoff to grow (1, 2, 4, 8, 16 s ...), back up,
    then the link goes down and up (a cable out and in, another Wi-Fi): the service tries
    again at once on the change, not when the grown backoff is up."""
    server, login = rig.server, rig.login
    ordinary, mail = drill_ordinary(5, tag="netchange-o"), drill_bounces(3, tag="netchange")
    append_pipelined(server, login, ordinary)
    with service(rig.env, rig.home) as timeline:
        server.deliver(login.user, mail[0])
        wait_quarantined(server, login, mail[:1], timeout=30)
        server.kill()

        def long_backoff() -> float | None:
            accounts = timeline.call("status").get("accounts", [])
            until = next((a.get("until") for a in accounts if a.get("state") == "backing-off"),
                         None)  # fmt: skip
            left = until - time.time() if until else 0.0
            return left if left > 12 else None

        left = wait_until(long_backoff, timeout=120, interval=0.1,
                          what=f"a backoff of over 12 s: {timeline.shown()}")  # fmt: skip
        server.start()
        server.deliver(login.user, mail[1])
        changed = time.monotonic()
        rig.net.link(False)
        rig.net.link(True)
        back = timeline.watching_again(changed, timeout=60)
        wait_quarantined(server, login, mail[:2], timeout=30)
        server.deliver(login.user, mail[2])
        wait_quarantined(server, login, mail, timeout=30)
    tally = count(server, login, ordinary, mail)
    report("network-change", None, f"backoff {left:.0f} s left at the change", back - changed,
           tally)  # fmt: skip
    logged = (rig.home / "run.out").read_text(errors="replace")
    assert tally == Count(0, 0, 0), tally
    assert back - changed < min(RECOVER_BOUND, left - 2.0), timeline.shown()
    assert "the network changed; trying again at once" in logged
