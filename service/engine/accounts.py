"""Turning a configured account into the things a pass needs: its mailbox, identity and judge.

Kept apart from the CLI modules so that `scan`, `run`, `restore` and `account test` open an
account the same way, and from the backends so that they stay free of config handling.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ndrguard.identity import Identity, IdentityError
from ndrguard.service.engine.deciding import AccountJudge, StateSentIndex, account_judge
from ndrguard.service.engine.dkim_keys import service_key_lookup
from ndrguard.service.mailboxes.base import Mailbox
from ndrguard.service.mailboxes.liveness import Keepalive
from ndrguard.service.settings.config import Account, ConfigError
from ndrguard.service.settings.identity_file import identity_from_mapping, load_identity
from ndrguard.service.store.state import State

if TYPE_CHECKING:
    from ndrguard.service.mailboxes.imap import ImapMailbox


def open_mailbox(
    account: Account,
    state: State,
    keepalive: Keepalive | None = None,
    connect_timeout: float | None = None,
) -> Mailbox:
    """Connect (IMAP) or open (Maildir); raises the backend's typed MailboxError.

    `keepalive` is what the worker's earlier connections learnt about the server's keepalive
    interval (IMAP only; see liveness.Keepalive); `connect_timeout` is shortened by a worker
    probing a network that did not answer.
    """
    if account.maildir is not None:
        from ndrguard.service.mailboxes.maildir import MaildirMailbox

        return MaildirMailbox(account.maildir, state, account.name)
    return open_imap(account, keepalive, connect_timeout)


def open_imap(
    account: Account, keepalive: Keepalive | None = None, connect_timeout: float | None = None
) -> ImapMailbox:
    """Log in with the keyring's password, or the OAuth grant's access token.

    `connect_timeout` (a worker probing a network that did not answer) applies to password
    logins; an OAuth login may first talk to the provider and keeps the usual timeouts."""
    if account.oauth is not None:
        from ndrguard.service.oauth.login import connect

        return connect(account, keepalive)
    from ndrguard.service.mailboxes.imap import CONNECT_TIMEOUT, ImapMailbox
    from ndrguard.service.settings.secrets import get_secret

    return ImapMailbox.connect(
        account, get_secret(account), keepalive, connect_timeout or CONNECT_TIMEOUT
    )


def identity_of(account: Account, config_dir: Path) -> Identity | None:
    """The account's identity: a file (relative to the config) or an inline table."""
    if account.identity is None:
        return None
    if isinstance(account.identity, Path):
        return load_identity(account.identity)
    try:
        return identity_from_mapping(account.identity, config_dir)
    except IdentityError as err:
        raise ConfigError(f"account {account.name!r}: identity: {err}") from err


def decider(account: Account, state: State, config_dir: Path) -> AccountJudge:
    """The account's judge: its identity and policy, the Sent index, DKIM keys from DNS."""
    identity = identity_of(account, config_dir)
    return account_judge(
        identity, account.policy, StateSentIndex(state, account.name), service_key_lookup()
    )
