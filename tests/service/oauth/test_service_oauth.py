"""`ndrguard account add --oauth` and `ndrguard run` against the test authorization server and
a Dovecot that introspects every token there.

The browser is the test's HTTP client, started by Python's webbrowser through $BROWSER, as a
user's browser would be. Access tokens live six seconds, so the service must refresh them and
log in afresh again and again while it watches by IDLE; a revoked grant must put the account
in "signin-needed" while another account keeps being watched; signing in again must bring it
back without a restart and without losing the bounces that came meanwhile. Afterwards no
token, code or client secret may be in the config, the logs or the state database.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.service.imap_util import (
    NDRGUARD,
    ROOT,
    add_account,
    assert_accounted_for,
    drill_bounces,
    drill_ordinary,
    ids,
    message_ids_in,
    ndrguard,
    running,
    service_env,
    status,
    wait_state,
)
from tests.service.oauth.conftest import CLIENT_ID, PASSWORD, USER
from tests.support.dovecot import Account as Login
from tests.support.oauth_server import OAuthServer
from tests.support.procs import wait_until

pytestmark = [pytest.mark.imap, pytest.mark.slow]

CLIENT_SECRET = "client-secret-of-the-office-registration"
CAROL = Login("carol@example.test", "carol-imap-password")
ALICE = Login(USER, "alice-imap-password")  # Dovecot's view, for reading her folders


@pytest.fixture
def oauth_server(tls_certificate):
    """A confidential client this time (a secret in the keyring), tokens of six seconds."""
    with OAuthServer(tls_certificate, users={USER: PASSWORD},
                     clients={CLIENT_ID: CLIENT_SECRET}, access_lifetime=6) as server:
        yield server


def env_for(home: Path, cert) -> dict[str, str]:
    env = service_env(home)
    env.update(
        NDRGUARD_TEST_KEYRING=str(home / "keyring.json"),
        BROWSER=f"{sys.executable} -m tests.support.oauth_browser %s",
        NDRGUARD_TEST_OAUTH_USER=USER,
        NDRGUARD_TEST_OAUTH_PASSWORD=PASSWORD,
        NDRGUARD_TEST_OAUTH_CA=str(cert.cert),
    )
    return env


def add_oauth_account(env, server: OAuthServer, imap, cert, *extra: str):
    return ndrguard(
        env, "account", "add", "work", "--oauth", "generic", "--client-id", CLIENT_ID,
        "--client-secret-stdin", "--issuer", server.base, "--scope", "imap offline_access",
        "--oauth-ca-file", str(cert.cert), "--host", imap.host, "--port",
        str(imap.imaps_port), "--ca-file", str(cert.cert), "--username", USER,
        "--policy", "block-all", *extra, stdin=CLIENT_SECRET + "\n", timeout=60,
    )  # fmt: skip


def secrets_of(server: OAuthServer) -> list[str]:
    with server.store.lock:
        values = [*server.store.tokens, *server.store.codes, *server.store.devices]
        values += [d.user_code for d in server.store.devices.values()]
    return [*values, CLIENT_SECRET]


def assert_no_secret_anywhere(home: Path, server: OAuthServer, service_ran: bool = True) -> None:
    """Every token, code and the client secret: in the keyring only."""
    keyring_file = home / "keyring.json"
    places = [p for p in home.rglob("*") if p.is_file() and p != keyring_file]
    assert any(p.name == "config.toml" for p in places)
    if service_ran:
        assert any(p.name.startswith("state.sqlite") for p in places)
        assert any(p.name == "run.out" for p in places)  # the service's log
    contents = {p: p.read_bytes() for p in places}
    found = secrets_of(server)
    assert len(found) >= 4  # a code, access and refresh tokens, the client secret
    for value in found:
        for path, data in contents.items():
            assert value.encode() not in data, f"{path} holds a secret ({value[:6]}...)"
    # ... and the keyring does hold the current grant and the client secret.
    assert CLIENT_SECRET in keyring_file.read_text()


def test_sign_in_then_watch_across_token_expiry_and_a_revoked_grant(
    oauth_server, oauth_dovecot, tls_certificate, tmp_path
):
    home = tmp_path / "home"
    env = env_for(home, tls_certificate)
    added = add_oauth_account(env, oauth_server, oauth_dovecot, tls_certificate)
    assert added.returncode == 0, added.stderr + added.stdout
    assert "signed in as alice@example.test" in added.stdout
    assert "logged in as alice@example.test" in added.stdout  # the test login after it
    add_account(env, "other", oauth_dovecot, CAROL)
    config = (home / "config.toml").read_text()
    work = next(a for a in tomllib.loads(config)["accounts"] if a["name"] == "work")
    assert work["oauth"]["provider"] == "generic"
    assert work["oauth"]["client_id"] == "ndrguard-desktop"
    assert 'auth = "xoauth2"' in config
    assert "oauth = {" in config  # one line: an inline table

    with running(env, home):
        wait_state(home, "work", "watching", timeout=60)
        wait_state(home, "other", "watching", timeout=60)
        # Three rounds of mail, each after the token of the round before has expired: the
        # service logs in afresh with refreshed tokens while it sits in IDLE, and misses none.
        expected_bounces: list[bytes] = []
        for n in range(3):
            round_bounces = drill_bounces(3, tag=f"r{n}")
            for raw in round_bounces + drill_ordinary(2, tag=f"o{n}"):
                oauth_dovecot.deliver(USER, raw)
            expected_bounces += round_bounces
            wait_until(lambda want=list(expected_bounces): set(ids(want)) <= set(
                message_ids_in(oauth_dovecot, ALICE, "Backscatter")),
                timeout=30, what=f"round {n} in quarantine")  # fmt: skip
            refreshed = oauth_server.refreshes
            wait_until(lambda r=refreshed: oauth_server.refreshes > r, timeout=30,
                       what="the next refresh")  # fmt: skip
        assert oauth_server.refreshes >= 3
        wait_state(home, "work", "watching", timeout=30)

        # The user removes ndrguard's access at the provider.
        assert oauth_server.revoke_user(USER) > 0
        wait_state(home, "work", "signin-needed", timeout=30)
        live = status(home)["accounts"]["work"]
        assert "sign in again" in live["detail"] and "ndrguard account signin work" in \
            live["detail"]  # fmt: skip
        shown = ndrguard(env, "status")
        assert "signin needed" in shown.stdout, shown.stdout
        assert status(home)["attention"] is True
        # The other account is still watched: a bounce for carol is quarantined.
        carol_bounce = drill_bounces(1, tag="carol")
        oauth_dovecot.deliver(CAROL.user, carol_bounce[0])
        wait_until(lambda: set(ids(carol_bounce)) <= set(
            message_ids_in(oauth_dovecot, CAROL, "Backscatter")), timeout=30,
            what="carol's bounce in quarantine")  # fmt: skip
        # Mail for alice while she is signed out waits for her.
        waiting = drill_bounces(2, tag="signed-out")
        for raw in waiting:
            oauth_dovecot.deliver(USER, raw)
        assert status(home)["accounts"]["work"]["state"] == "signin-needed"

        # She signs in again; the running service is told and logs in at once.
        again = ndrguard(env, "account", "signin", "work", timeout=60)
        assert again.returncode == 0, again.stderr + again.stdout
        assert "the running service logs in again now" in again.stdout
        wait_state(home, "work", "watching", timeout=30)
        expected_bounces += waiting
        wait_until(lambda: set(ids(expected_bounces)) <= set(
            message_ids_in(oauth_dovecot, ALICE, "Backscatter")), timeout=30,
            what="the bounces that came while signed out")  # fmt: skip

    ordinary = [m for n in range(3) for m in drill_ordinary(2, tag=f"o{n}")]
    assert_accounted_for(oauth_dovecot, ALICE, inbox=ordinary, quarantine=expected_bounces)
    assert_no_secret_anywhere(home, oauth_server)


def test_device_sign_in_from_the_cli(oauth_server, oauth_dovecot, tls_certificate, tmp_path):
    home = tmp_path / "home"
    env = env_for(home, tls_certificate)
    added = add_oauth_account(env, oauth_server, oauth_dovecot, tls_certificate, "--no-signin")
    assert added.returncode == 0, added.stderr + added.stdout
    proc = subprocess.Popen(
        [*NDRGUARD, "account", "signin", "work", "--device"], env=env, cwd=ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"open (\S+) and enter the code (\S+)", line)
        assert m, line
        assert m.group(1) == oauth_server.base + "/device"
        assert oauth_server.approve_device(m.group(2), USER, PASSWORD)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "signed in as alice@example.test" in out
    tested = ndrguard(env, "account", "test", "work")
    assert tested.returncode == 0 and "logged in as alice@example.test" in tested.stdout, \
        tested.stderr  # fmt: skip
    assert_no_secret_anywhere(home, oauth_server, service_ran=False)
    # Removing the account asks the provider to forget the grant (RFC 7009), then the keyring.
    assert oauth_server.active_tokens(USER)
    removed = ndrguard(env, "account", "remove", "work")
    assert removed.returncode == 0, removed.stderr
    assert "the provider was asked to forget ndrguard's sign-in" in removed.stdout
    assert oauth_server.active_tokens(USER) == []
    assert "work" not in (home / "keyring.json").read_text()


def test_sign_in_through_the_api_as_the_tray_does(
    oauth_server, oauth_dovecot, tls_certificate, tmp_path
):
    """Added but never signed in: the account waits in signin-needed; the tray's `signin`
    gives it the URL to open, and when the browser comes back the worker logs in at once."""
    from ndrguard.service.api.client import ApiClient
    from tests.support.oauth_browser import sign_in
    from tests.ui.service_process import endpoint_for

    home = tmp_path / "home"
    env = env_for(home, tls_certificate)
    added = add_oauth_account(env, oauth_server, oauth_dovecot, tls_certificate, "--no-signin")
    assert added.returncode == 0, added.stderr + added.stdout
    with running(env, home):
        wait_state(home, "work", "signin-needed", timeout=60)
        assert "not signed in" in status(home)["accounts"]["work"]["detail"]
        api = ApiClient(endpoint_for(home))
        try:
            table = api.call("config_get")["accounts"][0]
            assert table["auth"] == "xoauth2" and table["oauth"]["provider"] == "generic"
            assert table["oauth"]["issuer"] == oauth_server.base
            # The settings window saves an OAuth account: the table to the config, the
            # client secret to the keyring.
            api.call("account_save", client_secret="gm-client-secret", account={
                "name": "gm", "host": "imap.gmail.com", "username": "me@gmail.com",
                "oauth": {"provider": "google", "client_id": "1-x.apps.googleusercontent.com"},
            })  # fmt: skip
            config = (home / "config.toml").read_text()
            gm = next(a for a in tomllib.loads(config)["accounts"] if a["name"] == "gm")
            assert gm["oauth"] == {"provider": "google",
                                   "client_id": "1-x.apps.googleusercontent.com"}  # fmt: skip
            assert "gm-client-secret" not in config
            assert "gm-client-secret" in (home / "keyring.json").read_text()
            wait_state(home, "gm", "signin-needed", timeout=30)
            started = api.call("signin", account="work")
            assert started["state"] == "waiting"
            assert started["url"].startswith(oauth_server.base + "/authorize?")
            assert api.call("signin_status", account="work")["state"] == "waiting"
            landed = sign_in(started["url"], USER, PASSWORD, str(tls_certificate.cert))
            assert landed.status_code == 200
            wait_until(lambda: api.call("signin_status", account="work")["state"]
                       == "signed-in", timeout=30, what="the sign-in to end")  # fmt: skip
            # Much sooner than the 5 minutes signin-needed waits by itself.
            wait_state(home, "work", "watching", timeout=20)
            # A device sign-in started and then cancelled from the tray.
            device = api.call("signin", account="work", device=True)
            assert device["user_code"] and device["verification_uri"] == \
                oauth_server.base + "/device"  # fmt: skip
            assert api.call("signin_cancel", account="work")["state"] == "cancelled"
        finally:
            api.close()
    assert_no_secret_anywhere(home, oauth_server)
