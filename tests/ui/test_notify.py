"""Notifications: one per burst, a real bounce always told, quiet hours hold them back.

Stands for: a flood of forged bounces must give the user one notification, not fifty; and a
real bounce among them must be named ("mail to bob@... failed: no such user").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime

import pytest

from ndrguard.ui.notify import BurstNotifier, DesktopBus, QuietHours
from ndrguard.ui.wording import Note


def test_a_burst_of_50_verdicts_from_the_service_gives_one_notification(qtbot, service, make_tray):
    app = make_tray(service.endpoint)
    shown: list[tuple[str, str]] = []
    seen: list[int] = [0]  # the newest verdict id the tray has heard of
    app.notifier.notified.connect(lambda t, b: shown.append((t, b)))

    def heard(name: str, data: dict) -> None:
        if name == "verdicts":
            seen[0] = max([seen[0], *(int(i["id"]) for i in data["items"])])

    app.link.event.connect(heard)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    client = service.client()
    newest = client.call("verdicts", limit=1)["items"][0]["id"]
    # A barrier instead of a sleep: the feed sends verdicts before the status of the same
    # poll, so once the tray has seen "paused" every catch-up verdict it will ever hear of
    # has reached the notifier; told now (flush), they cannot mix with the burst.
    client.call("pause")
    qtbot.waitUntil(lambda: bool(app.tray.snapshot and app.tray.snapshot.get("paused")),
                    timeout=10_000)  # fmt: skip
    client.call("resume")
    qtbot.waitUntil(lambda: bool(app.tray.snapshot and not app.tray.snapshot.get("paused")),
                    timeout=10_000)  # fmt: skip
    app.notifier.flush()
    shown.clear()
    # The production window, not a short one: the 50 are judged in batches, and on a busy
    # machine that takes seconds; the window is what must hold them together.
    app.notifier.min_gap = 0
    burst = service.box.burst[:50]
    assert len(burst) == 50
    service.deliver(burst)
    qtbot.waitUntil(lambda: seen[0] >= newest + 50, timeout=30_000)
    qtbot.waitUntil(lambda: len(shown) >= 1, timeout=2000 + 1000 * int(app.notifier.window))
    assert app.notifier.idle  # all 50 heard and told: a second notification has nothing left
    assert len(shown) == 1, shown
    _title, body = shown[0]
    assert "50 forged bounces moved to Backscatter" in body, body


def make(qtbot, **kw) -> tuple[BurstNotifier, list]:
    notes: list = []
    n = BurstNotifier(notes.append, window=0.2, **kw)
    return n, notes


def forged(i: int) -> dict:
    return {
        "id": i,
        "verdict": "backscatter",
        "state": "quarantined",
        "quarantine_folder": "Backscatter",
    }


REAL = {
    "id": 999,
    "verdict": "legit",
    "state": "kept",
    "details": {
        "recipients": [{"address": "bob@example.com", "status": "5.1.1", "action": "failed"}]
    },
}


def test_a_real_bounce_is_told_at_once_on_its_own_then_the_burst(qtbot):
    n, notes = make(qtbot)
    n.add([forged(i) for i in range(23)] + [REAL])
    assert len(notes) == 1  # at once: not held for the burst's window
    assert notes[0].urgent and notes[0].title == "A message you sent was not delivered"
    assert notes[0].body == "A message you sent: mail to bob@example.com failed: no such user."
    qtbot.waitUntil(lambda: len(notes) == 2, timeout=2000)
    assert not notes[1].urgent
    assert notes[1].body.startswith("23 forged bounces moved to Backscatter in the last")
    assert "real bounce" not in notes[1].body  # told already
    assert ("undo", "Undo last move") in notes[1].actions and len(notes[1].moved) == 23


def test_a_real_bounce_is_not_held_by_the_rate_limit(qtbot):
    n, notes = make(qtbot, min_gap=3600)
    n.add([forged(1)])
    qtbot.waitUntil(lambda: len(notes) == 1, timeout=2000)
    n.add([{**REAL, "details": {**REAL["details"], "original": {"subject": "Offer"}}}])
    assert len(notes) == 2 and notes[1].title == 'Not delivered: "Offer"'
    assert notes[1].body == "mail to bob@example.com failed: no such user."


def test_rate_limit_merges_what_comes_after_a_notification(qtbot):
    n, notes = make(qtbot, min_gap=1.0)
    n.add([forged(1)])
    qtbot.waitUntil(lambda: len(notes) == 1, timeout=2000)
    n.add([forged(2)])
    n.add([forged(3)])
    qtbot.wait(500)
    assert len(notes) == 1  # held back by the gap
    qtbot.waitUntil(lambda: len(notes) == 2, timeout=2000)
    assert notes[1].body.startswith("2 forged bounces")


def test_a_burst_after_an_early_flush_waits_only_for_its_own_window(qtbot):
    """Verdicts held by the gap and then told at once by flush(): the burst after them is
    told one window later, not when the stale gap timer ends (the 50-verdict test above
    failed so in 1 of 20 soak runs, its catch-up notified twice before the burst)."""
    n, notes = make(qtbot, min_gap=3600)
    n.add([forged(1)])
    qtbot.waitUntil(lambda: len(notes) == 1, timeout=2000)
    n.add([forged(2)])  # held back by the hour's gap
    n.flush()
    assert len(notes) == 2 and n.idle
    n.min_gap = 0
    n.add([forged(3)])
    qtbot.waitUntil(lambda: len(notes) == 3, timeout=2000)


def test_quiet_hours_hold_everything_until_they_end(qtbot):
    hour = datetime.now().hour
    n, notes = make(qtbot, quiet=QuietHours(hour, (hour + 1) % 24))
    n.add([REAL])
    assert notes == [] and n._timer.isActive()  # told when the quiet hours end
    n.quiet = None
    n.flush()
    assert len(notes) == 1 and notes[0].urgent


def test_quiet_hours_wrap_past_midnight():
    q = QuietHours(22, 7)
    assert q.active(datetime(2026, 1, 1, 23)) and q.active(datetime(2026, 1, 1, 6))
    assert not q.active(datetime(2026, 1, 1, 12))


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("dbus-daemon", "dunst", "Xvfb")),
    reason="needs dbus-daemon, dunst and Xvfb (bash scripts/setup --test)",
)
def test_desktop_notifications_reach_a_real_notification_server(monkeypatch, tmp_path):
    """A private session bus with dunst on a private Xvfb: Notify is accepted (its typed
    signature susssasa{sv}i is what servers check), with no tray anywhere."""
    display = f":{60 + os.getpid() % 30}"
    procs = [subprocess.Popen(["Xvfb", display, "-nolisten", "tcp"], stderr=subprocess.DEVNULL)]
    bus = subprocess.Popen(["dbus-daemon", "--session", "--print-address", "--nofork"],
                           stdout=subprocess.PIPE, text=True)  # fmt: skip
    procs.append(bus)
    try:
        address = bus.stdout.readline().strip()
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        env = {**os.environ, "DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": address}
        time.sleep(0.5)
        procs.append(subprocess.Popen(["dunst"], env=env, stderr=subprocess.DEVNULL))
        bus = None
        deadline = time.monotonic() + 10
        while bus is None and time.monotonic() < deadline:
            bus = DesktopBus.open(lambda _nid, _key: None)
            time.sleep(0.2)
        assert bus is not None, "no notification server answered"
        assert bus.actions_supported  # dunst offers actions (through its context menu)
        note = Note("A message you sent was not delivered", "mail to bob@… failed", True,
                    actions=(("default", "Open summary"), ("undo", "Undo last move")))
        assert bus.notify(note) is not None
        bus.close()
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(10)


def test_no_session_bus_means_no_desktop_notifications(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    assert DesktopBus.open(lambda _nid, _key: None) is None  # the tray balloon instead
