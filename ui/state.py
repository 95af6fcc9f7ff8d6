"""The one word the tray icon shows, from the service's status snapshot, and the status line.

Amber means the user must do something, and only that: a login or a certificate refused, an
OAuth sign-in to renew, evidence that cannot be read (a Sent folder that does not exist), a
broken config. Bounces left undecided are work to review, not a fault: they are a count in
the menu and the summary, and the icon stays green. Paused, or nothing set up to watch, is
grey: nothing is being moved.

The words go through QCoreApplication.translate (context "state"), which needs no
QApplication: without a translator loaded they are the English source text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication

from ndrguard.service.api.protocol import WorkerState

translate = QCoreApplication.translate  # by this name lupdate finds the strings


class TrayState(StrEnum):
    WATCHING = "watching"
    PAUSED = "paused"  # paused by the user, or no account to watch yet
    ATTENTION = "attention"  # a fault only the user can fix (NEEDS_USER), a broken config
    DISCONNECTED = "disconnected"  # no service to talk to


NEEDS_USER = frozenset(
    (
        WorkerState.AUTH_FAILED,
        WorkerState.CERT_REJECTED,
        WorkerState.SIGNIN_NEEDED,
        WorkerState.EVIDENCE_UNREADABLE,
    )
)


def _words(state: WorkerState) -> str | None:
    # Static literals in each translate call: lupdate finds only those.
    if state is WorkerState.AUTH_FAILED:
        return QCoreApplication.translate(
            "state", "the server refused the login: check the password in Settings")
    if state is WorkerState.CERT_REJECTED:
        return QCoreApplication.translate(
            "state", "the server's certificate was rejected: see Settings")
    if state is WorkerState.SIGNIN_NEEDED:
        return translate("state", "sign in again (click here)")
    if state is WorkerState.EVIDENCE_UNREADABLE:
        return translate("state", "proof cannot be read; bounces are held")
    if state is WorkerState.BACKING_OFF:
        return translate("state", "cannot reach the server; trying again")
    return None


def _state(account: dict[str, Any]) -> WorkerState | None:
    try:
        return WorkerState(account.get("state", ""))
    except ValueError:
        return None


def needs_user(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The accounts whose fault only the user can fix."""
    return [a for a in snapshot.get("accounts", []) if _state(a) in NEEDS_USER]


def signin_needed(snapshot: dict[str, Any] | None) -> list[str]:
    """The accounts whose OAuth grant is gone: a sign-in in the browser brings them back."""
    return [str(a["account"]) for a in (snapshot or {}).get("accounts", [])
            if _state(a) is WorkerState.SIGNIN_NEEDED]  # fmt: skip


def tray_state(snapshot: dict[str, Any] | None) -> TrayState:
    if snapshot is None:
        return TrayState.DISCONNECTED
    if snapshot.get("config_error") or needs_user(snapshot):
        return TrayState.ATTENTION
    if snapshot.get("paused") or not snapshot.get("accounts"):
        return TrayState.PAUSED
    return TrayState.WATCHING


def to_review(snapshot: dict[str, Any] | None) -> int:
    """Bounces of the last day that no proof decided: for the user to look at when they like."""
    return int((snapshot or {}).get("undecided_recent", 0))


def review_text(n: int) -> str:
    if n == 1:
        return translate("state", "1 bounce to &review…")
    return translate("state", "{n} bounces to &review…").format(n=n)


def accounts_text(n: int) -> str:
    if n == 1:
        return translate("state", "1 account")
    return translate("state", "{n} accounts").format(n=n)


def paused_text(until: float | None, now: datetime | None = None) -> str:
    """'Paused until 14:05', 'Paused until tomorrow 08:00', or paused until resumed."""
    if until is None:
        return translate("state", "Paused: no mail is being moved")
    end = datetime.fromtimestamp(until)
    now = now or datetime.now()
    clock = end.strftime("%H:%M")
    if end.date() == now.date():
        text = translate("state", "Paused until {time}: no mail is being moved")
        return text.format(time=clock)
    if (end.date() - now.date()).days == 1:
        text = translate("state", "Paused until tomorrow {time}: no mail is being moved")
        return text.format(time=clock)
    return translate("state", "Paused until {date}: no mail is being moved").format(
        date=end.strftime("%Y-%m-%d %H:%M"))


def status_line(snapshot: dict[str, Any] | None, reason: str = "") -> str:
    """The first line of the menu: what is going on, in a few words (clicking it opens the
    place to act: see Tray.status_clicked)."""
    if snapshot is None:
        if reason:
            text = translate("state", "Not connected to the ndrguard service ({reason})")
            return text.format(reason=reason)
        return translate("state", "Not connected to the ndrguard service")
    accounts = snapshot.get("accounts", [])
    if snapshot.get("config_error"):
        return translate("state",
                         "The config file has an error; the previous settings stay in force")
    if not accounts:
        return translate("state", "No mail account set up yet: add one in Settings")
    troubled = needs_user(snapshot) or [a for a in accounts if _state(a) is WorkerState.BACKING_OFF]
    if troubled:
        a = troubled[0]
        state = _state(a)
        words = (_words(state) if state else None) or str(a["state"]).replace("-", " ")
        return f"{a['account']}: {words}"
    if snapshot.get("paused"):
        return paused_text(snapshot.get("paused_until"))
    watching = sum(1 for a in accounts if _state(a) is WorkerState.WATCHING)
    return translate("state", "Watching {watching} of {accounts}").format(
        watching=watching, accounts=accounts_text(len(accounts)))
