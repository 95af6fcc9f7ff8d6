"""Logging in to IMAP with an OAuth access token (XOAUTH2 or OAUTHBEARER, RFC 7628).

The token is refreshed before it expires (client.TokenSource); when the server still refuses
it (AUTHENTICATIONFAILED: revoked early, or the clocks disagree), it is refreshed once more
and the login tried again. A refusal of a token the provider has just issued is not fixed by
refreshing again: that is "auth-failed" with words about the scope and the account's IMAP
access. The session is marked for renewal shortly before its token expires, because some
servers (Microsoft's) end IMAP sessions whose token has expired.
"""

from __future__ import annotations

import logging

from ndrguard.service.mailboxes.base import AuthFailed
from ndrguard.service.mailboxes.imap import ImapMailbox
from ndrguard.service.mailboxes.liveness import Keepalive
from ndrguard.service.oauth.client import RENEW_MARGIN, TokenSource
from ndrguard.service.oauth.grant import Grant
from ndrguard.service.settings.config import Account

log = logging.getLogger(__name__)


def connect(account: Account, keepalive: Keepalive | None = None) -> ImapMailbox:
    if account.oauth is None:
        raise ValueError(f"account {account.name!r} has no oauth settings")
    source = TokenSource(account.name, account.oauth)
    grant = source.grant()
    try:
        return _login(account, grant, keepalive)
    except AuthFailed as err:
        log.info("%s: the server refused the access token (%s); refreshing it once",
                 account.name, err)  # fmt: skip
    grant = source.refresh()
    try:
        return _login(account, grant, keepalive)
    except AuthFailed as err:
        raise AuthFailed(
            f"the server refused a token the provider has just issued ({err.message}); check "
            "that IMAP is enabled for the mailbox and that the app registration has the "
            "IMAP scope"
        ) from err


def _login(account: Account, grant: Grant, keepalive: Keepalive | None) -> ImapMailbox:
    box = ImapMailbox.connect(account, grant.access_token, keepalive)
    if grant.expires_at:
        box.renew_at = grant.expires_at - grant.margin(RENEW_MARGIN, 0.1)
    return box
