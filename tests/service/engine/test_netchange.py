"""The network-change count (service/engine/netchange.py): netlink datagrams read right, and a
real change on this machine (a veth pair the test makes and removes) counted."""

from __future__ import annotations

import shutil
import struct
import subprocess
import uuid

import pytest

from ndrguard.service.engine.netchange import NetworkChanges, changes_in
from tests.support.procs import is_root, wait_until

HEADER = struct.Struct("=LHHLL")


def message(kind: int, payload: bytes = b"") -> bytes:
    body = HEADER.pack(HEADER.size + len(payload), kind, 0, 0, 0) + payload
    return body + b"\0" * (-len(body) % 4)


def test_link_address_and_route_messages_are_changes_others_are_not() -> None:
    datagram = message(16, b"x" * 5) + message(21) + message(3) + message(24, b"y" * 12)
    assert changes_in(datagram) == 3  # NEWLINK, DELADDR, NEWROUTE; NLMSG_DONE is not one


def test_a_truncated_or_malformed_datagram_ends_the_count_without_looping() -> None:
    assert changes_in(message(16)[:10]) == 0
    assert changes_in(HEADER.pack(0, 16, 0, 0, 0) + message(16)) == 0


@pytest.mark.skipif(not is_root() or shutil.which("ip") is None, reason="needs root and ip")
def test_a_new_link_on_this_machine_is_counted() -> None:
    changes = NetworkChanges()
    mark = changes.mark()
    name = f"ndrc{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "link", "add", f"{name}a", "type", "veth", "peer", "name",
                           f"{name}b"], capture_output=True, text=True)  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"cannot make a veth pair here: {made.stderr.strip()}")
    try:
        wait_until(lambda: changes.since(mark), timeout=10, what="the new link to be counted")
    finally:
        subprocess.run(["ip", "link", "del", f"{name}a"], capture_output=True)
