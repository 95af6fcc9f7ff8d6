"""A server that greets and then says nothing is told within the login bound, by name.

Stands for a stuck IMAP proxy or an auth backend that hangs: the TCP connection is accepted
and the greeting comes, and then no answer ever does. CAPABILITY, which imaplib sends straight
after the greeting, is bounded by the connect timeout; STARTTLS and LOGIN by
min(LOGIN_TIMEOUT, the account's read timeout). The error names what the server did not
answer, not "the connection was lost". A real socket on loopback; the
server is a few lines that read and never write after the greeting.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from ndrguard.service.mailboxes.base import CannotConnect
from ndrguard.service.mailboxes.imap import ImapMailbox
from ndrguard.service.settings.config import Account

READ_TIMEOUT = 2.0  # the account's timeout_seconds: the bound here, as it is below LOGIN_TIMEOUT
CONNECT = 3.0  # the connect timeout asked for here (the service's is 15 s)


def silent_after(greeting: bytes, answer: bytes | None = None) -> Iterator[int]:
    """A port whose server sends `greeting` to each connection, `answer` (its {tag} filled
    in) to the first command when given, and then only reads."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    done = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.sendall(greeting)
            if answer is not None:
                conn.settimeout(5)
                tag = conn.recv(4096).split(b" ", 1)[0]
                conn.sendall(answer.replace(b"{tag}", tag))
            held.append(conn)  # kept open and unanswered until the test ends

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        done.set()
        thread.join(5)
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture
def silent_after_capability() -> Iterator[int]:
    """Greets, answers the CAPABILITY imaplib asks first, and then says nothing."""
    yield from silent_after(
        b"* OK ready\r\n", answer=b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n"
    )


@pytest.fixture
def silent_after_greeting() -> Iterator[int]:
    yield from silent_after(b"* OK ready\r\n")


def account(port: int) -> Account:
    return Account("a", host="127.0.0.1", port=port, security="plain", username="u",
                   timeout_seconds=READ_TIMEOUT)  # fmt: skip


def attempt(port: int) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(CannotConnect) as caught:
        ImapMailbox.connect(account(port), "secret", connect_timeout=CONNECT)
    return caught.value.shown(), time.monotonic() - started


def test_no_answer_to_login_is_named_and_bounded(silent_after_capability: int) -> None:
    said, took = attempt(silent_after_capability)
    assert f"greeted, then did not answer LOGIN within {READ_TIMEOUT:g} s" in said, said
    assert took < READ_TIMEOUT + 3, f"{took:.1f} s"


def test_no_answer_to_capability_is_bounded_by_the_connect_timeout(
    silent_after_greeting: int,
) -> None:
    said, took = attempt(silent_after_greeting)
    assert f"no answer to CAPABILITY after it, from 127.0.0.1:{silent_after_greeting}" in said
    assert f"within {CONNECT:g} s" in said, said
    assert took < CONNECT + 3, f"{took:.1f} s"
