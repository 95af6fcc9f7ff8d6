"""The account's OAuth grant (refresh token, current access token, its expiry) in the keyring.

It lives in the account's own keyring entry, where a password account keeps its password, as
one JSON value: the refresh token and the access token change together on a refresh (most
providers rotate the refresh token), and two entries could be read half-updated. The client
secret, where the app registration has one, is an entry of its own (`client_secret`) because
the user types it once, before any grant exists.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import keyring
import keyring.errors

from ndrguard.service.settings.secrets import SERVICE, KeyringUnavailable, SecretMissing

CLIENT_SECRET_SUFFIX = " (OAuth client secret)"


class SignInNeeded(SecretMissing):
    """The grant is missing, expired or revoked: only the user, signing in, can fix it."""

    title = "Sign in again"


@dataclass(frozen=True, slots=True)
class Grant:
    access_token: str
    expires_at: float  # wall-clock seconds; 0 when the provider gave no lifetime
    refresh_token: str = ""
    scope: str = ""
    issued_at: float = 0.0  # when this access token was received (wall clock)

    @classmethod
    def from_token(cls, token: dict[str, Any], previous: Grant | None = None,
                   now: float | None = None) -> Grant:  # fmt: skip
        """From a token endpoint's answer; a refresh that brings no new refresh token keeps
        the old one (RFC 6749 section 6: the server may or may not rotate it)."""
        now = time.time() if now is None else now
        expires_at = 0.0
        if token.get("expires_in") is not None:
            expires_at = now + float(token["expires_in"])
        elif token.get("expires_at") is not None:
            expires_at = float(token["expires_at"])
        refresh = token.get("refresh_token") or (previous.refresh_token if previous else "")
        return cls(
            access_token=str(token["access_token"]),
            expires_at=expires_at,
            refresh_token=str(refresh or ""),
            scope=str(token.get("scope") or (previous.scope if previous else "")),
            issued_at=now,
        )

    def margin(self, most: float, share: float) -> float:
        """`most` seconds, or `share` of the token's lifetime if that is less: tokens that
        live minutes (as in the tests, or at some providers) must not be renewed at once."""
        lifetime = self.expires_at - self.issued_at if self.expires_at and self.issued_at else 0
        return min(most, share * lifetime) if lifetime > 0 else most

    def valid_for(self, now: float) -> float:
        """Seconds of life left; a token without a stated lifetime counts as expired, so it
        is refreshed before each login rather than trusted for an unknown time."""
        return (self.expires_at or now) - now


def load_grant(account_name: str) -> Grant:
    raw = _get(account_name)
    if not raw:
        raise SignInNeeded(
            f"account {account_name!r} is not signed in: run `ndrguard account signin "
            f"{account_name}`"
        )
    try:
        data = json.loads(raw)
        keys = ("access_token", "expires_at", "refresh_token", "scope", "issued_at")
        return Grant(**{k: data[k] for k in keys if k in data})
    except (ValueError, TypeError, KeyError) as err:
        raise SignInNeeded(
            f"account {account_name!r}: the keyring holds no OAuth grant (a password?); "
            f"run `ndrguard account signin {account_name}`"
        ) from err


def save_grant(account_name: str, grant: Grant) -> None:
    _set(account_name, json.dumps(asdict(grant)))


def client_secret(account_name: str) -> str | None:
    return _get(account_name + CLIENT_SECRET_SUFFIX) or None


def set_client_secret(account_name: str, secret: str) -> None:
    _set(account_name + CLIENT_SECRET_SUFFIX, secret)


def delete_client_secret(account_name: str) -> None:
    try:
        keyring.delete_password(SERVICE, account_name + CLIENT_SECRET_SUFFIX)
    except keyring.errors.PasswordDeleteError:
        pass  # none stored (a public client)
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(f"the keyring could not be written: {err}") from err


def _get(user: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, user)
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(f"the keyring could not be read: {err}") from err


def _set(user: str, value: str) -> None:
    try:
        keyring.set_password(SERVICE, user, value)
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(f"the keyring could not be written: {err}") from err
