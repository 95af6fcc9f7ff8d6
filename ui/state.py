"""The one word the tray icon shows, from the service's status snapshot (no Qt here).

Amber means the user must do something, and only that: a login or a certificate refused, an
OAuth sign-in to renew, evidence that cannot be read (a Sent folder that does not exist), a
broken config. Bounces left undecided are work to review, not a fault: they are a count in
the menu and the summary, and the icon stays green. Paused, or nothing set up to watch, is
grey: nothing is being moved.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ndrguard.service.api.protocol import WorkerState


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

_WORDS = {
    WorkerState.AUTH_FAILED: "the server refused the login: check the password in Settings",
    WorkerState.CERT_REJECTED: "the server's certificate was rejected: see Settings",
    WorkerState.SIGNIN_NEEDED: "sign in again",
    WorkerState.EVIDENCE_UNREADABLE: "proof cannot be read; bounces are held",
    WorkerState.BACKING_OFF: "cannot reach the server; trying again",
}


def _state(account: dict[str, Any]) -> WorkerState | None:
    try:
        return WorkerState(account.get("state", ""))
    except ValueError:
        return None


def needs_user(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The accounts whose fault only the user can fix."""
    return [a for a in snapshot.get("accounts", []) if _state(a) in NEEDS_USER]


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


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def status_line(snapshot: dict[str, Any] | None, reason: str = "") -> str:
    """The first line of the menu: what is going on, in a few words (clicking it opens the
    place to act: see Tray.status_clicked)."""
    if snapshot is None:
        return (
            f"Not connected to the ndrguard service ({reason})"
            if reason
            else ("Not connected to the ndrguard service")
        )
    accounts = snapshot.get("accounts", [])
    if snapshot.get("config_error"):
        return "The config file has an error; the previous settings stay in force"
    if not accounts:
        return "No mail account set up yet: add one in Settings"
    troubled = needs_user(snapshot) or [a for a in accounts if _state(a) is WorkerState.BACKING_OFF]
    if troubled:
        a = troubled[0]
        state = _state(a)
        words = _WORDS.get(state, str(a["state"]).replace("-", " ")) if state else a["state"]
        return f"{a['account']}: {words}"
    if snapshot.get("paused"):
        return "Paused: no mail is being moved"
    watching = sum(1 for a in accounts if _state(a) is WorkerState.WATCHING)
    return f"Watching {watching} of {plural(len(accounts), 'account')}"
