"""Signing in: the authorization code grant with PKCE and a loopback redirect (RFC 8252), or the
device authorization grant (RFC 8628) where no browser runs on this machine.

The loopback listener binds 127.0.0.1 on a port the kernel picks, so no fixed port can be
squatted by another program, and answers only the redirect that carries this sign-in's
`state`: anything else (a stale tab, a forged link) gets an error page and the listener goes
on waiting. The code is exchanged with the PKCE verifier, so a code seen by someone else is
useless without it. The listener is closed as soon as one good answer arrived: a replayed
redirect finds nothing listening.

Neither function stores anything: the caller saves the Grant (grant.save_grant), so that a
sign-in begun from the tray and one begun from the CLI end the same way.
"""

from __future__ import annotations

import html
import http.server
import logging
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError

from ndrguard.service.mailboxes.base import MailboxError
from ndrguard.service.oauth.client import session
from ndrguard.service.oauth.grant import Grant
from ndrguard.service.oauth.providers import Endpoints, OAuthSettings

log = logging.getLogger(__name__)

SIGNIN_TIMEOUT = 600.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class SignInFailed(MailboxError):
    """The sign-in did not complete: refused, timed out, cancelled, or the provider failed."""

    title = "Sign-in failed"


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What the user must be shown for the device grant."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: float


@dataclass(slots=True)
class _Answer:
    params: dict[str, str] | None = None
    refused: int = 0  # redirects whose state did not match


def signin_loopback(
    settings: OAuthSettings,
    where: Endpoints,
    secret: str | None,
    open_browser: Callable[[str], object],
    *,
    timeout: float = SIGNIN_TIMEOUT,
    cancel: threading.Event | None = None,
    login_hint: str = "",
) -> Grant:
    """Open the provider's sign-in page; return the grant once the browser comes back."""
    if not where.authorization_url:
        raise SignInFailed("this provider has no authorization endpoint: use --device")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
    answer = _Answer()
    done = threading.Event()
    server = _listener(state, answer, done)
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}/"
    s = session(settings, secret, where, redirect_uri)
    extra = dict(where.extra)
    if login_hint:
        extra["login_hint"] = login_hint
    url, _ = s.create_authorization_url(
        where.authorization_url, state=state, code_verifier=verifier, **extra
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="ndrguard-signin", daemon=True)  # fmt: skip
    thread.start()
    try:
        open_browser(url)
        deadline = time.monotonic() + timeout
        while not done.wait(0.2):
            if cancel is not None and cancel.is_set():
                raise SignInFailed("the sign-in was cancelled")
            if time.monotonic() > deadline:
                raise SignInFailed(f"no answer from the browser within {timeout:.0f} s")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    if answer.refused:
        log.warning("the sign-in ignored %d answer(s) with a wrong state (another tab, or a "
                    "forged link)", answer.refused)  # fmt: skip
    params = answer.params or {}
    if "error" in params:
        said = params.get("error_description") or params["error"]
        raise SignInFailed(f"the provider refused the sign-in: {said}")
    try:
        token = s.fetch_token(
            where.token_url, grant_type="authorization_code", code=params["code"],
            code_verifier=verifier, redirect_uri=redirect_uri,
        )  # fmt: skip
    except OAuthError as err:
        raise SignInFailed(f"the provider did not exchange the code: {_said(err)}") from err
    except (requests.RequestException, ValueError) as err:
        raise SignInFailed(f"the token endpoint did not answer: {err}") from err
    finally:
        s.close()
    return Grant.from_token(dict(token))


def _listener(state: str, answer: _Answer, done: threading.Event) -> http.server.HTTPServer:
    taken = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        # Browsers open spare connections they may never use: each request has its own
        # thread and a read timeout, so an idle one cannot hold up the real redirect.
        timeout = 10

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(parts.query))
            if parts.path != "/" or done.is_set():
                self._page(404, "Nothing here.")
                return
            if not secrets.compare_digest(params.get("state", ""), state):
                answer.refused += 1
                self._page(400, "This answer is not for the sign-in ndrguard is waiting for "
                                "(the state does not match). It was ignored.")  # fmt: skip
                return
            if "code" not in params and "error" not in params:
                self._page(400, "The provider's answer has neither a code nor an error.")
                return
            with taken:
                first = answer.params is None  # not a second copy arriving at once
                if first:
                    answer.params = params
            if not first:
                self._page(404, "Nothing here.")
                return
            self._page(200, "ndrguard is signed in. You can close this window."
                       if "code" in params else "The sign-in was refused.")  # fmt: skip
            done.set()  # after the page: the listener closes once this is set

        def _page(self, status: int, text: str) -> None:
            body = (f"<!doctype html><meta charset=utf-8><title>ndrguard</title>"
                    f"<p>{html.escape(text)}</p>").encode()  # fmt: skip
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query holds the code: it must not reach any log

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def signin_device(
    settings: OAuthSettings,
    where: Endpoints,
    secret: str | None,
    show: Callable[[DeviceCode], object],
    *,
    cancel: threading.Event | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> Grant:
    """Ask for a user code, `show` it, and poll the token endpoint until the user approved."""
    if not where.device_url:
        raise SignInFailed("this provider has no device authorization endpoint")
    s = session(settings, secret, where)
    try:
        data = {"client_id": settings.client_id, "scope": where.scope}
        if secret:
            data["client_secret"] = secret
        try:
            reply = s.post(where.device_url, data=data, withhold_token=True)
            body = reply.json()
        except (requests.RequestException, ValueError) as err:
            raise SignInFailed(f"the device endpoint did not answer: {err}") from err
        if reply.status_code != 200 or "device_code" not in body:
            said = body.get("error_description") or body.get("error") or reply.status_code
            raise SignInFailed(f"the provider refused the device sign-in: {said}")
        # Google names it verification_url, RFC 8628 verification_uri.
        uri = body.get("verification_uri") or body.get("verification_url") or ""
        code = DeviceCode(
            user_code=str(body["user_code"]), verification_uri=str(uri),
            verification_uri_complete=str(body.get("verification_uri_complete") or ""),
            expires_in=float(body.get("expires_in") or SIGNIN_TIMEOUT),
        )  # fmt: skip
        show(code)
        interval = float(body.get("interval") or 5)
        deadline = time.monotonic() + code.expires_in
        while True:
            if cancel is not None and cancel.is_set():
                raise SignInFailed("the sign-in was cancelled")
            if time.monotonic() > deadline:
                raise SignInFailed("the code expired before it was entered; sign in again")
            sleep(interval)
            try:
                token = s.fetch_token(
                    where.token_url, grant_type=DEVICE_GRANT,
                    device_code=body["device_code"], client_id=settings.client_id,
                )  # fmt: skip
                return Grant.from_token(dict(token))
            except OAuthError as err:
                if err.error == "authorization_pending":
                    continue
                if err.error == "slow_down":
                    interval += 5  # RFC 8628 section 3.5
                    continue
                raise SignInFailed(f"the provider refused the device sign-in: {_said(err)}") \
                    from err  # fmt: skip
            except (requests.RequestException, ValueError) as err:
                raise SignInFailed(f"the token endpoint did not answer: {err}") from err
    finally:
        s.close()


def _said(err: OAuthError) -> str:
    return f"{err.error}: {err.description}" if err.description else str(err.error)
