"""Talking to the provider's token endpoint: refresh before expiry, revoke, and the errors.

One code path for every provider, on authlib's requests client (see pyproject.toml for why
authlib). What a failure means for the account is decided here, once:
- `invalid_grant` (the refresh token was revoked, expired, or the password changed): only the
  user can fix it by signing in again, so SignInNeeded, shown as "sign in again";
- `invalid_client` / `unauthorized_client` (a wrong client ID, an expired client secret):
  AuthFailed with words that point at the app registration;
- the endpoint unreachable or answering garbage: ConnectionLost, so the worker backs off and
  tries again, as for an IMAP server that is down.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from ndrguard.service.mailboxes.base import AuthFailed, ConnectionLost, MailboxError
from ndrguard.service.oauth.grant import Grant, SignInNeeded, client_secret, load_grant, save_grant
from ndrguard.service.oauth.providers import Endpoints, OAuthSettings, endpoints, verify_for

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 15.0
# Refresh when less than this is left: a login takes seconds, and clocks differ a little.
REFRESH_MARGIN = 120.0
# A session is renewed (new login with a fresh token) this long before its token expires:
# Microsoft closes IMAP sessions whose token has expired.
RENEW_MARGIN = 60.0

# One lock per account in this process: two refreshes at once with a rotating refresh token
# would leave one of them holding a token the server has already replaced.
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class _Session(OAuth2Session):
    """authlib's session with the account's CA given to every request: requests lets
    REQUESTS_CA_BUNDLE override a session-wide `verify`, never a per-request one."""

    ca: bool | str = True

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("verify", self.ca)
        return super().request(method, url, *args, **kwargs)


def session(
    settings: OAuthSettings,
    secret: str | None,
    where: Endpoints,
    redirect_uri: str | None = None,
) -> OAuth2Session:
    """An authlib session for this client registration, TLS verified, every request timed."""
    s = _Session(
        client_id=settings.client_id,
        client_secret=secret,
        token_endpoint_auth_method=where.auth_method if secret else "none",
        revocation_endpoint_auth_method=where.auth_method if secret else "none",
        scope=where.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT,
    )
    s.ca = verify_for(settings)
    return s


def oauth_failure(err: OAuthError, account_name: str) -> MailboxError:
    """The account's error for a token endpoint's refusal (see the module docstring)."""
    code = err.error or ""
    said = f"{code}: {err.description}" if err.description else code
    if code == "invalid_grant":
        return SignInNeeded(
            f"the provider no longer accepts ndrguard's sign-in for {account_name!r} ({said}); "
            f"sign in again: `ndrguard account signin {account_name}`"
        )
    if code in ("invalid_client", "unauthorized_client"):
        return AuthFailed(
            f"the provider refused the client registration ({said}): check oauth.client_id "
            "and the client secret (an expired secret must be renewed in the app registration)"
        )
    return AuthFailed(f"the provider refused the token request ({said})")


class TokenSource:
    """Access tokens for one account, from the grant in the keyring.

    The grant is read from the keyring each time, never cached in memory across calls: a
    sign-in or a refresh by another process (the CLI beside the service) is seen at once.
    """

    def __init__(self, account_name: str, settings: OAuthSettings) -> None:
        self.account_name = account_name
        self.settings = settings

    def grant(self, now: float | None = None) -> Grant:
        """A grant whose access token lives at least REFRESH_MARGIN more seconds."""
        now = time.time() if now is None else now
        with _lock(self.account_name):
            grant = load_grant(self.account_name)
            if grant.valid_for(now) > grant.margin(REFRESH_MARGIN, 0.25):
                return grant
            return self._refresh(grant)

    def refresh(self) -> Grant:
        """A new access token now, whatever the old one's stated lifetime (the server
        refused it: revoked, or its clock differs from ours)."""
        with _lock(self.account_name):
            return self._refresh(load_grant(self.account_name))

    def _refresh(self, grant: Grant) -> Grant:
        if not grant.refresh_token:
            raise SignInNeeded(
                f"the access token of {self.account_name!r} expired and the provider gave no "
                f"refresh token; sign in again: `ndrguard account signin {self.account_name}`"
            )
        token = self._post(lambda s, where: s.refresh_token(
            where.token_url, refresh_token=grant.refresh_token))  # fmt: skip
        new = Grant.from_token(token, previous=grant)
        save_grant(self.account_name, new)
        log.info("%s: access token refreshed; valid for %.0f s", self.account_name,
                 new.valid_for(time.time()))  # fmt: skip
        return new

    def revoke(self) -> bool:
        """Ask the provider to forget the grant (RFC 7009); False where it has no endpoint."""
        grant = load_grant(self.account_name)
        token = grant.refresh_token or grant.access_token
        hint = "refresh_token" if grant.refresh_token else "access_token"

        def call(s: OAuth2Session, where: Endpoints) -> dict[str, Any]:
            if not where.revocation_url:
                return {"revoked": False}
            reply = s.revoke_token(where.revocation_url, token=token, token_type_hint=hint)
            reply.raise_for_status()
            return {"revoked": True}

        return bool(self._post(call)["revoked"])

    def _post(self, call: Any) -> dict[str, Any]:
        try:
            where = endpoints(self.settings)
            s = session(self.settings, client_secret(self.account_name), where)
            try:
                return dict(call(s, where))
            finally:
                s.close()
        except OAuthError as err:
            raise oauth_failure(err, self.account_name) from err
        except ValueError as err:  # discovery failed, or a bad endpoint in the document
            raise ConnectionLost(f"the provider's endpoints could not be found: {err}") from err
        except requests.RequestException as err:
            raise ConnectionLost(f"the provider's token endpoint did not answer: {err}") from err
