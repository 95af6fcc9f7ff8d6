"""Which folder is the account's Sent folder, and, when there is none, words that say why.

One answer for the scanner (which reads it for the Sent index) and for `account add` /
`account test` (which name it to the user), so that what the user is shown is what the
service reads. The order: the folder the config names (`sent = "..."`), else the folder the
server marks SPECIAL-USE \\Sent (RFC 6154), else none: a guess by name could read the wrong
folder and call bounces unproven, where "not found" holds them and tells the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from ndrguard.service.mailboxes.base import FolderMissing, Mailbox, MailboxError
from ndrguard.service.settings.config import Account


@dataclass(frozen=True, slots=True)
class SentFolder:
    folder: str | None  # None: not found (see `problem`)
    how: str  # how it was found, for the user
    problem: str | None = None  # why there is none, with the folders there are


def find_sent(account: Account, mailbox: Mailbox) -> SentFolder:
    """The account's Sent folder as configured or flagged; a problem when there is none."""
    if account.sent:
        if _exists(mailbox, account.sent):
            return SentFolder(account.sent, "named in the config")
        return SentFolder(
            None, "named in the config",
            f"Sent folder {account.sent!r} does not exist; folders are: {folder_list(mailbox)}",
        )  # fmt: skip
    flagged = mailbox.special_folder("\\Sent")
    if flagged is not None:
        return SentFolder(flagged, "marked \\Sent by the server")
    return SentFolder(
        None, "not found",
        "no Sent folder was found (none is marked \\Sent and the config names none); folders "
        f"are: {folder_list(mailbox)}; set sent = \"...\" for the account",
    )  # fmt: skip


def folder_list(mailbox: Mailbox) -> str:
    try:
        return ", ".join(mailbox.folders()) or "(none)"
    except MailboxError as err:
        return f"(the list could not be read: {err.message})"


def _exists(mailbox: Mailbox, folder: str) -> bool:
    try:
        mailbox.status(folder)
    except FolderMissing:
        return False
    return True
