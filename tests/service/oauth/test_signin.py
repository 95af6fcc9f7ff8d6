"""Signing in at a real authorization server on loopback, and logging in to a Dovecot that
introspects every token there: the loopback redirect with PKCE and its `state`, a replayed
code, the device grant, XOAUTH2 and OAUTHBEARER, a refused token refreshed once more."""

from __future__ import annotations

import threading

import pytest
import requests

from ndrguard.service.mailboxes.base import AuthFailed
from ndrguard.service.oauth import login
from ndrguard.service.oauth.client import TokenSource
from ndrguard.service.oauth.grant import SignInNeeded, load_grant, save_grant
from ndrguard.service.oauth.providers import endpoints
from ndrguard.service.oauth.signin import SignInFailed, signin_device, signin_loopback
from tests.service.oauth.conftest import PASSWORD, USER, oauth_account, oauth_settings
from tests.support.oauth_browser import authorize, sign_in

pytestmark = pytest.mark.imap


def browser(server, cert, seen: list[str] | None = None):
    def open_url(url: str) -> None:
        if seen is not None:
            seen.append(url)
        threading.Thread(target=sign_in, args=(url, USER, PASSWORD, str(cert.cert)),
                         daemon=True).start()  # fmt: skip

    return open_url


def test_loopback_signin_then_xoauth2_and_oauthbearer_logins(
    oauth_server, oauth_dovecot, tls_certificate, file_keyring
):
    settings = oauth_settings(oauth_server, tls_certificate)
    urls: list[str] = []
    grant = signin_loopback(settings, endpoints(settings), None,
                            browser(oauth_server, tls_certificate, urls), timeout=30)
    # PKCE S256 and a loopback redirect on a random port were asked for.
    assert "code_challenge_method=S256" in urls[0]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in urls[0]
    assert grant.refresh_token and grant.access_token in oauth_server.issued
    save_grant("work", grant)
    for auth in ("xoauth2", "oauthbearer"):
        box = login.connect(oauth_account(oauth_server, oauth_dovecot, tls_certificate,
                                          auth=auth))  # fmt: skip
        try:
            assert box.status("INBOX").uidnext >= 1
        finally:
            box.close()
    assert oauth_server.introspections >= 2


def test_dovecot_refuses_a_token_the_server_did_not_issue(
    oauth_server, oauth_dovecot, tls_certificate, file_keyring
):
    from ndrguard.service.mailboxes.imap import ImapMailbox

    account = oauth_account(oauth_server, oauth_dovecot, tls_certificate)
    with pytest.raises(AuthFailed):
        ImapMailbox.connect(account, "made-up-token")
    # Nor does the IMAP password work as a token.
    with pytest.raises(AuthFailed):
        ImapMailbox.connect(account, oauth_dovecot.users[USER])
    assert oauth_server.introspections >= 2


def test_wrong_state_is_ignored_and_the_real_answer_still_signs_in(
    oauth_server, tls_certificate, file_keyring
):
    settings = oauth_settings(oauth_server, tls_certificate)
    forged: list[int] = []

    def open_url(url: str) -> None:
        def act() -> None:
            location = authorize(url, USER, PASSWORD, str(tls_certificate.cert))
            # An attacker's redirect with another state, and the same code, comes first.
            bad = location.replace("state=", "state=x")
            forged.append(requests.get(bad, timeout=10).status_code)
            requests.get(location, timeout=10)

        threading.Thread(target=act, daemon=True).start()

    grant = signin_loopback(settings, endpoints(settings), None, open_url, timeout=30)
    assert forged == [400]
    assert grant.access_token in oauth_server.issued


def test_a_replayed_code_is_refused_and_revokes_what_it_gave(
    oauth_server, tls_certificate, file_keyring
):
    settings = oauth_settings(oauth_server, tls_certificate)
    locations: list[str] = []

    def open_url(url: str) -> None:
        def act() -> None:
            locations.append(authorize(url, USER, PASSWORD, str(tls_certificate.cert)))
            requests.get(locations[0], timeout=10)

        threading.Thread(target=act, daemon=True).start()

    grant = signin_loopback(settings, endpoints(settings), None, open_url, timeout=30)
    # The listener closed after the first good answer: a replayed redirect finds nobody.
    with pytest.raises(requests.ConnectionError):
        requests.get(locations[0], timeout=5)
    # Replayed at the token endpoint itself (someone who saw the code), it is refused...
    code = dict(p.split("=", 1) for p in locations[0].split("?", 1)[1].split("&"))["code"]
    redirect = locations[0].split("?", 1)[0]
    reply = requests.post(
        oauth_server.base + "/token", verify=str(tls_certificate.cert), timeout=10,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
              "client_id": settings.client_id, "code_verifier": "x" * 50},
    )  # fmt: skip
    assert reply.status_code == 400 and reply.json()["error"] == "invalid_grant"
    # ... and, as RFC 6749 4.1.2 says, what the code gave is revoked: sign in again.
    assert oauth_server.refused["replayed code"] == 1
    save_grant("work", grant)
    with pytest.raises(SignInNeeded):
        TokenSource("work", settings).refresh()


def test_device_grant(oauth_server, tls_certificate, file_keyring):
    settings = oauth_settings(oauth_server, tls_certificate)
    shown = []

    def show(code) -> None:
        shown.append(code)
        # The user types the code on another machine, a little later.
        threading.Timer(1.5, oauth_server.approve_device,
                        (code.user_code, USER, PASSWORD)).start()  # fmt: skip

    grant = signin_device(settings, endpoints(settings), None, show)
    assert shown[0].verification_uri == oauth_server.base + "/device"
    assert shown[0].user_code in shown[0].verification_uri_complete
    assert grant.refresh_token and grant.access_token in oauth_server.issued


def test_device_grant_refused_by_the_user(oauth_server, tls_certificate, file_keyring):
    settings = oauth_settings(oauth_server, tls_certificate)

    def show(code) -> None:
        with oauth_server.store.lock:
            for d in oauth_server.store.devices.values():
                d.denied = True

    with pytest.raises(SignInFailed, match="access_denied"):
        signin_device(settings, endpoints(settings), None, show)


def test_a_token_the_server_dropped_early_is_refreshed_once_at_login(
    oauth_server, oauth_dovecot, tls_certificate, file_keyring
):
    # The server says an hour but drops tokens after 2 s (a revoked token, a skewed clock).
    oauth_server.access_lifetime = 2
    oauth_server.announced_lifetime = 3600
    settings = oauth_settings(oauth_server, tls_certificate)
    save_grant("work", signin_loopback(settings, endpoints(settings), None,
                                       browser(oauth_server, tls_certificate), timeout=30))
    first = load_grant("work")
    oauth_server.access_lifetime = 3600
    import time

    time.sleep(2.5)
    box = login.connect(oauth_account(oauth_server, oauth_dovecot, tls_certificate))
    box.close()
    assert oauth_server.refreshes == 1
    now = load_grant("work")
    assert now.access_token != first.access_token
    assert now.refresh_token != first.refresh_token  # rotated, and the new one kept


def test_an_idle_browser_connection_does_not_hold_up_the_redirect(
    oauth_server, tls_certificate, file_keyring
):
    import socket
    import urllib.parse

    settings = oauth_settings(oauth_server, tls_certificate)
    idle: list[socket.socket] = []

    def open_url(url: str) -> None:
        redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]
        port = urllib.parse.urlsplit(redirect).port
        # A browser's speculative connection: opened, never used.
        idle.append(socket.create_connection(("127.0.0.1", port)))
        browser(oauth_server, tls_certificate)(url)

    try:
        grant = signin_loopback(settings, endpoints(settings), None, open_url, timeout=8)
    finally:
        for s in idle:
            s.close()
    assert grant.access_token in oauth_server.issued
