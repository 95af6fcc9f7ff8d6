"""pytest fixtures for the real servers on loopback; loaded as a plugin.

tests/conftest.py registers this module with `pytest_plugins = ["tests.support.fixtures"]`.

- `dovecot` (session): one Dovecot for the whole run. Tests that only read and write mail
  share it; each takes a fresh login from `imap_account` so that no test sees another's mail.
- `dovecot_factory` (per test): for tests that kill, freeze, restart or reconfigure a server
  (no MOVE, quota), which must never disturb the shared one.
- `exim_factory` (per test): throwaway Exim instances (tests/support/exim.py).
- `tls_certificate` (session): the self-signed certificate every test Dovecot uses; clients
  verify against `tls_certificate.cert` (or `dovecot.ssl_context()`).

Every fixture skips, with the reason, only when the binaries are missing, and stops what it
started when its scope ends (tests/support/procs.py also stops leftovers at exit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.dovecot import (
    Account,
    Certificate,
    Dovecot,
    dovecot_missing_reason,
    make_certificate,
)
from tests.support.exim import Exim, exim_missing_reason

SHARED_USERS = {"alice@example.test": "alice-secret", "bob@example.test": "bob-secret"}
SHARED_MAILBOXES = ("Sent", "Drafts", "Trash", "Junk", "Quarantine")
# Fresh logins made in advance for `imap_account` (more are added on demand, ~1 s each).
SPARE_ACCOUNTS = 300


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """One self-signed certificate (CN/SAN 127.0.0.1, ::1, localhost) for the whole run."""
    reason = dovecot_missing_reason()
    if reason:
        pytest.skip(reason)
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def dovecot(tls_certificate: Certificate) -> Iterator[Dovecot]:
    """The shared Dovecot: users alice@ and bob@example.test, special-use folders and a
    Quarantine folder; MOVE on, no quota. Add per-test logins with `imap_account`."""
    server = Dovecot(
        dict(SHARED_USERS),
        mailboxes=SHARED_MAILBOXES,
        certificate=tls_certificate,
        spare_accounts=SPARE_ACCOUNTS,
    )
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def imap_account(dovecot: Dovecot) -> Account:
    """A login of its own on the shared Dovecot, with empty folders, for this test only."""
    return dovecot.take_account()


@pytest.fixture
def dovecot_factory(tls_certificate: Certificate) -> Iterator[Callable[..., Dovecot]]:
    """Make started Dovecot instances with any options (see Dovecot); all closed after the
    test, killed ones and frozen ones included."""
    made: list[Dovecot] = []

    def make(**options: Any) -> Dovecot:
        options.setdefault("certificate", tls_certificate)
        server = Dovecot(**options)
        made.append(server)
        return server.start()

    try:
        yield make
    finally:
        for server in made:
            server.close()


@pytest.fixture
def exim_factory() -> Iterator[Callable[..., Exim]]:
    """Make started Exim instances (see Exim for the options); all closed after the test.

    Instances that route to each other are easier built unstarted and started together with
    tests.support.exim.EximNet, which fixes the routes once every port is known.
    """
    reason = exim_missing_reason()
    if reason:
        pytest.skip(reason)
    made: list[Exim] = []

    def make(name: str, hostname: str, **options: Any) -> Exim:
        inst = Exim(name, hostname, **options)
        made.append(inst)
        return inst.start()

    try:
        yield make
    finally:
        for inst in made:
            inst.close()
