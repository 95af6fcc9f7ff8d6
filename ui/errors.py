"""The service's error titles in the user's language, wherever the tray shows an error.

The service words every failure as `title: message` (ndrguard/errors.py), in English: the
message names files, folders and accounts and is composed where the fault is known, but the
title is one of a fixed set, one per error class ("Connection lost", "Login failed"). The
tray puts that title in the user's language and leaves the message as the service wrote it,
so that a German user reads "Verbindung verloren: ..." rather than an English heading.
tests/ui/test_translations.py checks that every error class's title is in this table.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ndrguard.errors import NdrguardError

translate = QCoreApplication.translate  # by this name lupdate finds the strings


def _titles() -> dict[str, str]:
    """English title -> translation, looked up at each call: the translator is installed at
    start, after this module is imported. Static literals: lupdate finds only those."""
    return {
        "Action failed": translate("errors", "Action failed"),
        "Another ndrguard is running": translate("errors", "Another ndrguard is running"),
        "Autostart failed": translate("errors", "Autostart failed"),
        "Bad request": translate("errors", "Bad request"),
        "Cannot connect": translate("errors", "Cannot connect"),
        "Certificate rejected": translate("errors", "Certificate rejected"),
        "Config not changed": translate("errors", "Config not changed"),
        "Configuration error": translate("errors", "Configuration error"),
        "Connection lost": translate("errors", "Connection lost"),
        "DKIM key unreadable": translate("errors", "DKIM key unreadable"),
        "Encryption refused": translate("errors", "Encryption refused"),
        "Folder missing": translate("errors", "Folder missing"),
        "Identity file problem": translate("errors", "Identity file problem"),
        "Identity problem": translate("errors", "Identity problem"),
        "Keyring unavailable": translate("errors", "Keyring unavailable"),
        "Local API unavailable": translate("errors", "Local API unavailable"),
        "Login failed": translate("errors", "Login failed"),
        "Mailbox full": translate("errors", "Mailbox full"),
        "Mailbox problem": translate("errors", "Mailbox problem"),
        "ndrguard could not do that": translate("errors", "ndrguard could not do that"),
        "ndrguard versions differ": translate("errors", "ndrguard versions differ"),
        "No password stored": translate("errors", "No password stored"),
        "Not found": translate("errors", "Not found"),
        "Sent mail unreadable": translate("errors", "Sent mail unreadable"),
        "Sign in again": translate("errors", "Sign in again"),
        "Sign-in failed": translate("errors", "Sign-in failed"),
        "State problem": translate("errors", "State problem"),
        "The ndrguard service does not answer": translate(
            "errors", "The ndrguard service does not answer"
        ),
        "The ndrguard service is not running": translate(
            "errors", "The ndrguard service is not running"
        ),
        "The service could not do that": translate("errors", "The service could not do that"),
    }


def title(english: str) -> str:
    """An error title in the user's language (a title not in the table stays as it is)."""
    return _titles().get(english, english)


def words(text: str) -> str:
    """`title: message` (or a title alone) as the service wrote it, its title translated."""
    head, sep, rest = text.partition(": ")
    return title(head) + sep + rest


def shown(err: NdrguardError) -> str:
    """An error of the service or its API as the tray shows it: `title: message`, the
    title translated."""
    return words(err.shown())
