"""Passwords and OAuth tokens in the OS keyring; never in the config file, never in a log.

One keyring entry per account: service "ndrguard", user name the account's name. The keyring
backend is whatever `keyring` picks (PYTHON_KEYRING_BACKEND pins one, as the tests do).
"""

from __future__ import annotations

import keyring
import keyring.errors

from ndrguard.service.mailboxes.base import AuthFailed, MailboxError
from ndrguard.service.settings.config import Account

SERVICE = "ndrguard"


class SecretMissing(AuthFailed):
    """No password or token is stored for the account."""

    title = "No password stored"


class KeyringUnavailable(MailboxError):
    """The OS keyring cannot be used (locked, absent, or refused)."""

    title = "Keyring unavailable"


NO_KEYRING = (
    "no OS keyring is running here, and ndrguard keeps passwords and tokens nowhere else. "
    "On a desktop, log in to a session with GNOME Keyring or KWallet; on a server without "
    "one, start gnome-keyring-daemon as docs/install.md ('A keyring on a server') shows"
)


def _unavailable(doing: str, err: keyring.errors.KeyringError) -> KeyringUnavailable:
    if isinstance(err, keyring.errors.NoKeyringError):
        return KeyringUnavailable(NO_KEYRING)
    return KeyringUnavailable(f"the keyring could not be {doing}: {err}")


def get_secret(account: Account) -> str:
    try:
        secret = keyring.get_password(SERVICE, account.name)
    except keyring.errors.KeyringError as err:
        raise _unavailable("read", err) from err
    if not secret:
        raise SecretMissing(
            f"no password is stored for account {account.name!r}; store one with "
            f"`ndrguard account add {account.name} ... --password-stdin`"
        )
    return secret


def set_secret(account_name: str, secret: str) -> None:
    try:
        keyring.set_password(SERVICE, account_name, secret)
    except keyring.errors.KeyringError as err:
        raise _unavailable("written", err) from err


def delete_secret(account_name: str) -> None:
    try:
        keyring.delete_password(SERVICE, account_name)
    except keyring.errors.PasswordDeleteError:
        pass  # nothing stored: already what was asked for
    except keyring.errors.KeyringError as err:
        raise _unavailable("written", err) from err
