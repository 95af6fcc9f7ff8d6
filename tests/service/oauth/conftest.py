"""Fixtures for the OAuth tests: the test authorization server, a Dovecot that introspects
every token at it, the account that signs in there, and a keyring in a file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

from ndrguard.service.oauth.providers import OAuthSettings
from ndrguard.service.settings.config import Account
from ndrguard.vocabulary import Policy
from tests.support.dovecot import Certificate, Dovecot, OAuth2Introspection
from tests.support.keyring_file import FileKeyring
from tests.support.oauth_server import OAuthServer

USER = "alice@example.test"
PASSWORD = "alice-oauth-password"  # her password at the authorization server
IMAP_PASSWORD = "alice-imap-password"  # a different one at Dovecot: never usable as a token
CLIENT_ID = "ndrguard-desktop"


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("NDRGUARD_TEST_KEYRING", str(path))
    before = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield path
    finally:
        keyring.set_keyring(before)


@pytest.fixture
def oauth_server(tls_certificate: Certificate) -> Iterator[OAuthServer]:
    with OAuthServer(tls_certificate, users={USER: PASSWORD, "bob@example.test": "bob-pw"}
                     ) as server:  # fmt: skip
        yield server


@pytest.fixture
def oauth_dovecot(
    oauth_server: OAuthServer, dovecot_factory: Callable[..., Dovecot], tls_certificate: Certificate
) -> Dovecot:
    return dovecot_factory(
        users={USER: IMAP_PASSWORD, "carol@example.test": "carol-imap-password"},
        oauth2=OAuth2Introspection(oauth_server.introspection_url(), tls_certificate.cert),
    )


def oauth_settings(server: OAuthServer, cert: Certificate, **over: str) -> OAuthSettings:
    values = {"provider": "generic", "client_id": CLIENT_ID, "issuer": server.base,
              "scope": "imap offline_access", **over}  # fmt: skip
    return OAuthSettings(**values, ca_file=cert.cert)


def oauth_account(server: OAuthServer, imap: Dovecot, cert: Certificate, name: str = "work",
                  auth: str = "xoauth2") -> Account:  # fmt: skip
    return Account(
        name=name, host="127.0.0.1", port=imap.imaps_port, security="tls", username=USER,
        ca_file=cert.cert, auth=auth, oauth=oauth_settings(server, cert), policy=Policy.BLOCK_ALL,
    )  # fmt: skip
