"""Turning a configured account into the things a pass needs: its mailbox, identity and judge.

Kept apart from the CLI modules so that `scan`, `run`, `restore` and `account test` open an
account the same way, and from the backends so that they stay free of config handling.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ndrguard.identity import Identity, IdentityError
from ndrguard.service.config import Account, ConfigError
from ndrguard.service.deciding import Decide, StateSentIndex, core_decider
from ndrguard.service.identity_file import load_identity, read_keyring_secret, read_secret_file
from ndrguard.service.mailbox import Mailbox
from ndrguard.service.state import State


def open_mailbox(account: Account, state: State) -> Mailbox:
    """Connect (IMAP) or open (Maildir); raises the backend's typed MailboxError."""
    if account.maildir is not None:
        from ndrguard.service.maildir_backend import MaildirMailbox

        return MaildirMailbox(account.maildir, state, account.name)
    from ndrguard.service.imap_backend import ImapMailbox
    from ndrguard.service.secrets import get_secret

    return ImapMailbox.connect(account, get_secret(account))


def identity_of(account: Account, config_dir: Path) -> Identity | None:
    """The account's identity: a file (relative to the config) or an inline table."""
    if account.identity is None:
        return None
    if isinstance(account.identity, Path):
        return load_identity(account.identity)
    try:
        return Identity.from_mapping(account.identity, lambda e: _inline_secret(e, config_dir))
    except IdentityError as err:
        raise ConfigError(f"account {account.name!r}: identity: {err}") from err


def _inline_secret(entry: Mapping[str, Any], base: Path) -> bytes:
    """A `[[batv.keys]]` entry of an inline identity; the same references as identity files."""
    import keyring

    if isinstance(entry.get("secret_file"), str):
        return read_secret_file(base / entry["secret_file"])
    if isinstance(entry.get("keyring"), str):
        return read_keyring_secret(entry["keyring"], keyring.get_password)
    raise IdentityError("batv.keys", "give secret_file or keyring (secrets are never inline)")


def decider(account: Account, state: State, config_dir: Path) -> Decide:
    identity = identity_of(account, config_dir)
    return core_decider(identity, account.policy, StateSentIndex(state, account.name))
