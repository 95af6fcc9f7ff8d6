"""A private D-Bus session bus with a tiny freedesktop notification server on it, for tests.

`dbus-daemon --session --print-address` gives a bus of the test's own (nothing of the
desktop's is touched). The server, written here on jeepney's low-level connection, owns
org.freedesktop.Notifications, says it supports actions, records every Notify call as it
came over the wire (its typed arguments included), and can emit ActionInvoked as a
notification server does when the user presses a button.
"""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass
from typing import Any

from jeepney import DBusAddress, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusConnection, ReceiveStopped, open_dbus_connection

PATH = "/org/freedesktop/Notifications"
NAME = "org.freedesktop.Notifications"


@dataclass(frozen=True)
class Notified:
    id: int
    signature: str
    app: str
    icon: str
    title: str
    body: str
    actions: dict[str, str]  # key -> label
    hints: dict[str, Any]


class SessionBus:
    """`with SessionBus() as address:` a dbus-daemon of the test's own."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.address = ""

    def __enter__(self) -> str:
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--session", "--print-address", "--nofork", "--nopidfile"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.address = self.proc.stdout.readline().strip()  # printed once it listens
        assert self.address, "dbus-daemon printed no address"
        return self.address

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


class NotificationServer:
    def __init__(self, address: str, actions: bool = True) -> None:
        self.conn: DBusConnection = open_dbus_connection(address)
        self.capabilities = ["body", "actions"] if actions else ["body"]
        self.notified: list[Notified] = []
        self._lock = threading.Lock()
        self._next = 1
        reply = self._call(message_bus.RequestName(NAME))
        assert reply == (1,), f"could not own {NAME}: {reply}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _call(self, msg: Any) -> Any:
        """A call of our own before the serving thread runs (RequestName)."""
        self.conn.send(msg)
        while True:
            got = self.conn.receive(timeout=10)
            if got.header.message_type is MessageType.method_return:
                return got.body

    def _serve(self) -> None:
        try:
            while True:
                msg = self.conn.receive()
                if msg.header.message_type is MessageType.method_call:
                    self._answer(msg)
        except (ReceiveStopped, OSError):
            return

    def _answer(self, msg: Any) -> None:
        member = msg.header.fields.get(3)  # HeaderFields.member
        if member == "GetServerInformation":
            reply = new_method_return(msg, "ssss", ("test-server", "ndrguard", "0", "1.2"))
        elif member == "GetCapabilities":
            reply = new_method_return(msg, "as", (self.capabilities,))
        elif member == "Notify":
            signature = msg.header.fields.get(8, "")  # HeaderFields.signature
            app, _replaces, icon, title, body, actions, hints, _timeout = msg.body
            with self._lock:
                nid, self._next = self._next, self._next + 1
                self.notified.append(Notified(
                    nid, signature, app, icon, title, body,
                    dict(zip(actions[::2], actions[1::2], strict=True)),
                    {k: v[1] for k, v in hints.items()},
                ))  # fmt: skip
            reply = new_method_return(msg, "u", (nid,))
        else:
            reply = new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (member,))
        self.conn.send(reply)

    def invoke(self, nid: int, key: str) -> None:
        """What a server does when the user presses the button `key` of notification `nid`."""
        where = DBusAddress(PATH, interface=NAME)
        self.conn.send(new_signal(where, "ActionInvoked", "us", (nid, key)))

    def close(self) -> None:
        self.conn.interrupt()  # the serving thread ends (ReceiveStopped), then the socket
        self._thread.join(10)
        self.conn.close()
