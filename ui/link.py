"""The tray app's line to the service: a subscription kept alive, and calls off the GUI thread.

A background thread holds an EventStream and turns what it hears into Qt signals. When the
service dies the kernel closes the socket and the thread says so at once (`disconnected`);
when it freezes, the missing heartbeat says so after HEARTBEAT_TIMEOUT. Then it tries again
every RETRY seconds until the service is back (`connected`). Requests run on a small pool so
that a restore or an account test never freezes the menu; their answers come back as a signal
on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from ndrguard.service.api.client import ApiClient, ChannelError, Endpoint, EventStream
from ndrguard.service.api.protocol import HEARTBEAT, ApiError, ServiceUnavailable
from ndrguard.ui import errors

HEARTBEAT_TIMEOUT = 2.5 * HEARTBEAT
RETRY = 1.0

# Thread-safe, and by this name lupdate finds the strings: the reasons are worded on the
# link's own thread, where self.tr() is not to be relied on.
translate = QCoreApplication.translate

Reply = Callable[[Any, ApiError | None], None]


class ServiceLink(QObject):
    connected = Signal(dict)  # the status snapshot
    disconnected = Signal(str)  # why, in words
    # name, data. It hides QObject.event(); renaming it (to `pushed`) made PySide6 6.x abort
    # in the garbage collector at interpreter exit after the UI tests, so the name stays.
    event = Signal(str, dict)  # type: ignore[assignment]
    _replied = Signal(object, object, object)  # callback, result, error

    def __init__(self, endpoint: Endpoint, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.endpoint = endpoint
        self.client = ApiClient(endpoint)
        self.is_connected = False
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ndrguard-tray-call")
        self._thread = threading.Thread(target=self._listen, name="ndrguard-tray-link", daemon=True)
        self._replied.connect(self._deliver)
        self._stream: EventStream | None = None
        self._down_told = False  # a service that stays away is reported once, not every retry

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.interrupt()
        # Both joined for good: a thread that outlived this QObject would emit into freed memory.
        self._thread.join()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()

    def call(self, op: str, reply: Reply | None = None, **args: Any) -> None:
        """Run `op` on the service; `reply(result, error)` is called on the GUI thread.

        After `stop()` (the app is quitting) calls are dropped: there is no one to answer.
        """
        if self._stop.is_set():
            return

        def run() -> None:
            try:
                result, error = self.client.call(op, **args), None
            except ApiError as err:
                result, error = None, err
            if reply is not None:
                self._replied.emit(reply, result, error)

        self._pool.submit(run)

    def _deliver(self, reply: Reply, result: Any, error: ApiError | None) -> None:
        if not self._stop.is_set():
            reply(result, error)

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self._stream = EventStream(self.endpoint)
            except (ApiError, ChannelError) as err:
                # title: message, the title in the user's language; never empty (an error
                # may carry a title alone).
                self._down(errors.shown(err))
                self._stop.wait(RETRY)
                continue
            self.is_connected = True
            self._down_told = False
            self.connected.emit(self._stream.snapshot)
            reason = self._follow(self._stream)
            self._stream.close()
            self._stream = None
            self.client.close()  # its connection died with the service too
            self._down(reason)

    def _follow(self, stream: EventStream) -> str:
        while not self._stop.is_set():
            try:
                got = stream.next(HEARTBEAT_TIMEOUT)
            except (ServiceUnavailable, ValueError):
                return translate("link", "the service stopped")
            if got is None:
                return translate("link", "the service stopped answering")
            name, data = got
            if name != "heartbeat":
                self.event.emit(name, data)
        return translate("link", "the tray app is closing")

    def _down(self, reason: str) -> None:
        if self.is_connected or not self._down_told:
            self._down_told = True
            self.is_connected = False
            self.disconnected.emit(reason)
