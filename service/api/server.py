"""The API server: accepts clients on threads of its own and pushes events to subscribers.

Nothing here touches mail or state: requests are handed to an `Operations` object (ops.py) and
events come from a `poll` callable (feed.py), so the server can be tested on its own and the
workers never wait for a client. Each connection has one thread that does the handshake and
then answers its requests in order; a client that connects and stalls holds only its own
thread. A ticker thread polls for events twice a second and sends a heartbeat every
HEARTBEAT seconds, so that a subscriber notices a frozen service, not just a dead one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, answer_challenge, deliver_challenge
from typing import Any, Protocol

from ndrguard.service.api import channel
from ndrguard.service.api.protocol import (
    HEARTBEAT,
    MAX_MESSAGE,
    ApiError,
    BadRequest,
    decode,
    encode,
)

log = logging.getLogger(__name__)

POLL = 0.5

Event = tuple[str, dict[str, Any]]


class Operations(Protocol):
    def call(self, op: str, args: dict[str, Any]) -> Any:
        """Run one operation; raise ApiError with words for the user when it fails."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """What a new subscriber needs before the first event: the current status."""
        ...


class _Peer:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.lock = threading.Lock()  # responses and pushed events share the connection
        self.subscribed = False

    def send(self, message: dict[str, Any]) -> bool:
        with self.lock:
            return self.send_locked(message)

    def send_locked(self, message: dict[str, Any]) -> bool:
        """`send` for a caller that holds `lock` already."""
        try:
            self.conn.send_bytes(encode(message))
        except (OSError, ValueError):
            return False
        return True

    def shut(self) -> None:
        """Wake the peer's thread, blocked reading; that thread alone closes the connection
        (two threads closing one descriptor could close a file that reused its number)."""
        with contextlib.suppress(OSError):
            dup = socket.socket(fileno=os.dup(self.conn.fileno()))
            with dup:
                dup.shutdown(socket.SHUT_RDWR)


class ApiServer:
    def __init__(
        self,
        endpoint: channel.Endpoint,
        ops: Operations,
        poll: Callable[[], list[Event]] | None = None,
        heartbeat: float = HEARTBEAT,
    ) -> None:
        self.endpoint = endpoint
        self.ops = ops
        self._poll = poll
        self._heartbeat = heartbeat
        self._key = endpoint.key()
        self._peers: set[_Peer] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._listener = channel.listen(endpoint)
        self._threads = [
            threading.Thread(target=self._accept_loop, name="ndrguard-api", daemon=True),
            threading.Thread(target=self._tick_loop, name="ndrguard-api-events", daemon=True),
        ]

    def start(self) -> ApiServer:
        for t in self._threads:
            t.start()
        log.info("local API listening on %s", self.endpoint.address)
        return self

    def publish(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to every subscribed client; a client that is gone is dropped."""
        with self._lock:
            peers = [p for p in self._peers if p.subscribed]
        for peer in peers:
            if not peer.send({"event": event, "data": data}):
                self._drop(peer)

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):  # wake accept() so that its thread can end
            channel.connect_raw(self.endpoint)
        with self._lock:
            peers = list(self._peers)
        for peer in peers:
            peer.shut()
        for t in self._threads:
            t.join(timeout=5)
        self._listener.close()

    # -- threads ---------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()
            except OSError:
                if self._closed.is_set():
                    return
                log.exception("local API: accept failed")
                continue
            if self._closed.is_set():
                conn.close()
                return
            peer = _Peer(conn)
            threading.Thread(
                target=self._serve, args=(peer,), name="ndrguard-api-client", daemon=True
            ).start()

    def _serve(self, peer: _Peer) -> None:
        uid = channel.peer_uid(peer.conn)
        if uid is not None and uid != os.getuid():
            # Another local user reached the socket (a folder made lax by hand, a container
            # sharing it): refused before the handshake, key or no key.
            log.warning("local API: refused a connection from uid %d (not this user)", uid)
            peer.conn.close()
            return
        try:
            # The same mutual challenge Listener(authkey=...) does, on this thread.
            deliver_challenge(peer.conn, self._key)
            answer_challenge(peer.conn, self._key)
        except (AuthenticationError, OSError, EOFError) as err:
            log.warning("local API: a client failed the handshake: %s", err)
            peer.conn.close()
            return
        with self._lock:
            self._peers.add(peer)
        try:
            while not self._closed.is_set():
                try:
                    data = peer.conn.recv_bytes(MAX_MESSAGE)
                except (OSError, EOFError):
                    return
                if not self._answer(peer, data):
                    return
        finally:
            self._drop(peer)
            peer.conn.close()

    def _answer(self, peer: _Peer, data: bytes) -> bool:
        """Answer one request; False when the answer could not be sent (the peer is gone)."""
        rid: Any = None
        try:
            message = decode(data)
            rid = message.get("id")
            op, args = message.get("op"), message.get("args", {})
            if not isinstance(op, str) or not isinstance(args, dict):
                raise BadRequest("a request needs an op (string) and args (object)")
        except ApiError as err:
            return peer.send({"id": rid, "ok": False, "error": err.to_json()})
        if op == "subscribe":
            return self._subscribe(peer, rid)
        return peer.send(self._result(rid, data, lambda: self.ops.call(op, args)))

    def _subscribe(self, peer: _Peer, rid: Any) -> bool:
        """Mark the peer subscribed and answer with the snapshot, under the lock that every
        pushed event takes: an event published while the snapshot is taken (the feed publishes
        twice a second under a flood, and the snapshot waits for the database the feed reads)
        then goes out after the answer instead of before it, where the client read it as a
        refusal without words; and it is not lost, since the peer was marked first. The ticker
        waits for this one snapshot, as it waits for its own."""
        with peer.lock:
            peer.subscribed = True
            answer = self._result(rid, b"subscribe", self.ops.snapshot)
            peer.subscribed = bool(answer["ok"])
            return peer.send_locked(answer)

    def _result(self, rid: Any, data: bytes, run: Callable[[], Any]) -> dict[str, Any]:
        try:
            return {"id": rid, "ok": True, "result": run()}
        except ApiError as err:
            return {"id": rid, "ok": False, "error": err.to_json()}
        except Exception as err:  # a bug in one operation must not end the connection
            log.exception("local API: %r failed", data[:200])
            return {"id": rid, "ok": False, "error": ApiError(f"internal error: {err}").to_json()}

    def _tick_loop(self) -> None:
        since_beat = 0.0
        while not self._closed.wait(POLL):
            since_beat += POLL
            if self._poll is not None:
                try:
                    events = self._poll()
                except Exception:  # the feed reads the database; a hiccup must not end it
                    log.exception("local API: event feed failed")
                    events = []
                for name, data in events:
                    self.publish(name, data)
            if since_beat >= self._heartbeat:
                since_beat = 0.0
                self.publish("heartbeat", {})

    def _drop(self, peer: _Peer) -> None:
        with self._lock:
            self._peers.discard(peer)
        peer.shut()
