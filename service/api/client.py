"""The API client: the CLI and the tray app use it to talk to a running service.

`ApiClient.call(op, **args)` sends one request and waits for its answer; it is safe to share
between threads (one request at a time on the connection). `EventStream` is a second,
subscribed connection that yields the service's events; it ends (ServiceUnavailable) the moment
the service dies, because the kernel closes the socket, and a heartbeat every few seconds lets
`next(timeout)` tell a frozen service from a quiet one.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
from multiprocessing.connection import Connection
from typing import Any

from ndrguard.service.api import channel
from ndrguard.service.api.protocol import (
    MAX_MESSAGE,
    ApiError,
    BadRequest,
    ServiceNotAnswering,
    ServiceUnavailable,
    decode,
    encode,
    error_from_json,
)
from ndrguard.service.settings.config import Paths

# What a client needs besides the two classes, so that the tray imports the client alone.
ChannelError = channel.ChannelError
Endpoint = channel.Endpoint


def endpoint_for(config: str | os.PathLike[str] | None = None) -> channel.Endpoint:
    """Where the service of this config (`--config`, else NDRGUARD_HOME or the platform's
    default) listens."""
    return channel.Endpoint.for_paths(Paths.resolve(config))


HELLO_WAIT = 10.0  # a service that does not say hello in this long is stopped or frozen


class ApiClient:
    """`timeout` bounds the handshake and each answer (None: wait as long as the work takes,
    a restore of many messages can take minutes); a request that is not answered in time
    closes the connection, since its late answer would be read as the next one's."""

    def __init__(self, endpoint: channel.Endpoint, timeout: float | None = None) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._conn: Connection | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @classmethod
    def for_paths(cls, paths: Paths | None = None) -> ApiClient:
        return cls(channel.Endpoint.for_paths(paths or Paths.resolve()))

    def call(self, op: str, **args: Any) -> Any:
        """The result of `op`; raises the service's ApiError, or ServiceUnavailable."""
        return self.request(op, args, self.timeout)

    def request(self, op: str, args: dict[str, Any], timeout: float | None) -> Any:
        """`call` with its own `timeout` (an argument of `op` may be named "timeout" too)."""
        with self._lock:
            if self._conn is None:
                self._conn = channel.connect(self.endpoint, timeout)
            rid = next(self._ids)
            try:
                self._conn.send_bytes(encode({"id": rid, "op": op, "args": args}))
                if timeout is not None and not self._conn.poll(timeout):
                    self._close_locked()
                    raise ServiceNotAnswering(
                        f"the service did not answer {op!r} within {timeout:g} s: it may be"
                        " stopped, frozen or stuck"
                    )
                answer = decode(self._conn.recv_bytes(MAX_MESSAGE))
            except (OSError, EOFError) as err:
                self._close_locked()
                raise ServiceUnavailable(f"the connection to the service broke: {err}") from err
        if answer.get("id") != rid:
            raise BadRequest(f"answer {answer.get('id')!r} to request {rid}: out of step")
        if not answer.get("ok"):
            raise error_from_json(answer.get("error") or {})
        return answer.get("result")

    def close(self) -> None:
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class EventStream:
    """A subscription: `snapshot` is the status at subscribe time, `next()` the events after."""

    def __init__(self, endpoint: channel.Endpoint) -> None:
        self._conn = channel.connect(endpoint)
        try:
            self._conn.send_bytes(encode({"id": 0, "op": "subscribe", "args": {}}))
            answer = self._read()
        except (OSError, EOFError) as err:
            # The service went away between the handshake and the answer: told as such, not
            # as a bare OSError that a caller catching ApiError would not expect.
            self._conn.close()
            raise ServiceUnavailable(f"the connection broke while subscribing: {err}") from err
        except BaseException:
            self._conn.close()
            raise
        if "event" in answer or answer.get("id") != 0:
            # Not the answer: without this check an event read here was a wordless refusal.
            self._conn.close()
            raise BadRequest(f"the service sent {answer!r:.80} before answering subscribe")
        if not answer.get("ok"):
            self._conn.close()
            raise error_from_json(answer.get("error") or {})
        self.snapshot: dict[str, Any] = answer.get("result") or {}

    def next(self, timeout: float | None = None) -> tuple[str, dict[str, Any]] | None:
        """The next event, or None when `timeout` passed without one (not even a heartbeat).

        Raises ServiceUnavailable when the service closed the connection (it stopped or died).
        """
        try:
            if timeout is not None and not self._conn.poll(timeout):
                return None
            message = self._read()
        except (OSError, EOFError) as err:
            raise ServiceUnavailable("the service closed the connection") from err
        return str(message.get("event")), message.get("data") or {}

    def _read(self) -> dict[str, Any]:
        return decode(self._conn.recv_bytes(MAX_MESSAGE))

    def interrupt(self) -> None:
        """Wake a thread blocked in `next()` (it gets ServiceUnavailable); that thread closes.

        close() from another thread would not wake its poll(), and two threads closing one
        descriptor could close an unrelated file that reused the number; shutdown() does
        neither.
        """
        with contextlib.suppress(OSError):
            dup = socket.socket(fileno=os.dup(self._conn.fileno()))
            with dup:
                dup.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._conn.close()


def running_client(paths: Paths | None = None) -> ApiClient | None:
    """A client connected to the running service, or None when none runs (for the CLI);
    ServiceNotAnswering when one runs but does not say hello (the command must not then
    work on the state as if no service ran)."""
    client = ApiClient.for_paths(paths)
    try:
        client.request("hello", {}, HELLO_WAIT)
    except ServiceNotAnswering:
        client.close()
        raise
    except ApiError:
        client.close()
        return None
    return client
