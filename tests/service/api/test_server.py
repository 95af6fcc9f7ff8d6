"""The API server on its own (no service behind it): what a subscriber is sent, and in what
order, when events are published while it subscribes."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ndrguard.service.api.channel import Endpoint
from ndrguard.service.api.client import EventStream
from ndrguard.service.api.server import ApiServer


class SlowSnapshot:
    """Operations whose snapshot waits until the test lets it go, as a snapshot waits for the
    state database while the event feed reads it under a flood of mail."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()

    def call(self, op: str, args: dict[str, Any]) -> Any:
        return {"op": op}

    def snapshot(self) -> dict[str, Any]:
        self.inside.set()
        assert self.release.wait(timeout=30)
        return {"accounts": [], "paused": False}


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    home = Path(tempfile.mkdtemp(prefix="ng-api-"))  # short: a socket path has ~100 bytes
    home.chmod(0o700)
    yield Endpoint(str(home / "api.sock"), "AF_UNIX", home / "api.key")
    shutil.rmtree(home, ignore_errors=True)


def test_an_event_published_during_subscribe_comes_after_the_answer_and_is_not_lost(endpoint):
    """Under a flood the feed publishes while a client subscribes. The event went out before
    the answer to `subscribe`, which the client then read as a refusal with no words (the
    tray's "Not connected: " with an empty reason); it must wait for the answer and follow it."""
    ops = SlowSnapshot()
    server = ApiServer(endpoint, ops, heartbeat=3600).start()
    got: list[EventStream | BaseException] = []

    def subscribe() -> None:
        try:
            got.append(EventStream(endpoint))
        except BaseException as err:  # told to the test thread, not lost on this one
            got.append(err)

    subscriber = threading.Thread(target=subscribe)
    try:
        subscriber.start()
        assert ops.inside.wait(timeout=10)  # the server is taking the snapshot
        publisher = threading.Thread(target=server.publish, args=("verdicts", {"items": [1]}))
        publisher.start()
        # Fixed, the publisher waits for the answer to go out first; without the fix it has
        # long finished (sending is immediate), and the event is on the wire before the answer.
        publisher.join(timeout=1.0)
        ops.release.set()
        subscriber.join(timeout=10)
        publisher.join(timeout=10)
        assert len(got) == 1 and isinstance(got[0], EventStream), got
        stream = got[0]
        assert stream.snapshot == {"accounts": [], "paused": False}
        assert stream.next(timeout=10) == ("verdicts", {"items": [1]})
        stream.close()
    finally:
        ops.release.set()
        server.close()
