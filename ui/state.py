"""The one word the tray icon shows, from the service's status snapshot (no Qt here)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from ndrguard.service.api.protocol import WorkerState


class TrayState(StrEnum):
    WATCHING = "watching"
    PAUSED = "paused"
    ATTENTION = "attention"  # an account in trouble, a broken config, undecided bounces
    DISCONNECTED = "disconnected"  # no service to talk to


def tray_state(snapshot: dict[str, Any] | None) -> TrayState:
    if snapshot is None:
        return TrayState.DISCONNECTED
    if snapshot.get("attention"):
        return TrayState.ATTENTION
    if snapshot.get("paused"):
        return TrayState.PAUSED
    return TrayState.WATCHING


def status_line(snapshot: dict[str, Any] | None, reason: str = "") -> str:
    """The first, disabled line of the menu: what is going on, in a few words."""
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
        return "No mail account set up yet"
    troubled = [a for a in accounts if WorkerState(a["state"]).is_trouble]
    if troubled:
        a = troubled[0]
        if a["state"] == WorkerState.EVIDENCE_UNREADABLE and a.get("detail"):
            return f"{a['account']}: {a['detail']}"
        return f"{a['account']}: {a['state'].replace('-', ' ')}"
    if snapshot.get("paused"):
        return "Paused: no mail is being moved"
    undecided = int(snapshot.get("undecided_recent", 0))
    watching = sum(1 for a in accounts if a["state"] == WorkerState.WATCHING)
    line = f"Watching {watching} of {len(accounts)} account{'s' if len(accounts) != 1 else ''}"
    if undecided:
        line += f"; {undecided} undecided bounce{'s' if undecided != 1 else ''} to look at"
    return line
