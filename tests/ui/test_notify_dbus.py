"""Notifications with actions over a real D-Bus, acting on the real service.

Stands for: a Linux user whose desktop shows ndrguard's notification with its buttons. A
private session bus (dbus-daemon) carries a notification server written for the test
(tests/ui/notification_server.py) that records each Notify as it came over the wire and
presses buttons by emitting ActionInvoked, as GNOME's or KDE's server does. "Undo last move"
must move the messages of that notification back on the service; "Open summary" must open
the summary; a real bounce must be told at once, by its subject, while a burst is still
being gathered; without a notification server the tray balloon is used and its click opens
the summary.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from ndrguard.ui.notify import DesktopBus
from ndrguard.ui.wording import Note
from tests.ui.notification_server import NotificationServer, Notified, SessionBus

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None,
                                reason="needs dbus-daemon (bash scripts/setup --test)")  # fmt: skip


@pytest.fixture
def notification_server(
    make_tray: object, monkeypatch: pytest.MonkeyPatch
) -> Iterator[NotificationServer]:
    """(After make_tray, so torn down before it: the app lets go of the bus first.)"""
    with SessionBus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        server = NotificationServer(address)
        yield server
        server.close()


def real_bounce(vid: int, subject: str) -> dict:
    return {
        "id": vid, "verdict": "legit", "state": "kept",
        "details": {
            "recipients": [{"address": "bob@example.com", "status": "5.1.1", "action": "failed"}],
            "original": {"subject": subject},
        },
    }  # fmt: skip


def wait_notified(qtbot, server: NotificationServer, match) -> Notified:
    found: list[Notified] = []

    def seen() -> bool:
        found[:] = [n for n in list(server.notified) if match(n)]
        return bool(found)

    try:
        qtbot.waitUntil(seen, timeout=15_000)
    except Exception as err:
        raise AssertionError(f"no such notification; the server got {server.notified}") from err
    return found[-1]


def hide_summary(app) -> None:
    """Offscreen Qt has no tray, so the summary opened at start (the no-tray rule); hidden,
    not closed (closing it quits the app where there is no tray)."""
    if app.summary is not None:
        app.summary.hide()
    assert app.summary is None or not app.summary.isVisible()


def test_undo_last_move_and_open_summary_from_the_notification(
    qtbot, service, make_tray, notification_server
):
    server = notification_server
    app = make_tray(service.endpoint, window=0.3)
    assert app.notifications.way == "desktop notifications (D-Bus)"
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    client = service.client()
    moved = client.call("verdicts", states=["quarantined"], verdicts=["backscatter"],
                        limit=3)["items"]  # fmt: skip
    assert len(moved) == 3, moved
    ids = sorted(int(i["id"]) for i in moved)
    app.notifier.min_gap = 0
    app.notifier.add(moved)
    # (The service's own catch-up may still be told in the same burst: the note with ours.)
    def ours(n: Notified) -> bool:
        return "undo" in n.actions and set(ids) <= set(
            getattr(app.notifications.note(n.id), "moved", ()))

    told = wait_notified(qtbot, server, ours)
    assert "forged bounces moved to Backscatter" in told.body
    # What went over the wire is what a server checks: the typed signature, the buttons.
    assert told.signature == "susssasa{sv}i"
    assert told.actions["undo"] == "Undo last move"
    assert told.actions["summary"] == "Open summary" and "default" in told.actions
    assert told.hints["desktop-entry"] == "ndrguard-tray"
    assert told.app == "ndrguard"

    server.invoke(told.id, "undo")

    def restored() -> bool:
        now = client.call("verdicts", states=["restored"], limit=500)["items"]
        return set(ids) <= {int(i["id"]) for i in now}

    qtbot.waitUntil(restored, timeout=30_000)
    undone = wait_notified(qtbot, server, lambda n: n.title == "ndrguard: undone")
    assert undone.body.endswith("messages moved back to where they were."), undone.body

    hide_summary(app)
    server.invoke(told.id, "summary")
    qtbot.waitUntil(lambda: app.summary is not None and app.summary.isVisible(), timeout=10_000)


def test_review_opens_the_summary_on_the_bounces_nobody_could_vouch_for(
    qtbot, service, make_tray, notification_server
):
    server = notification_server
    app = make_tray(service.endpoint, window=0.3)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    undecided = service.client().call("verdicts", verdicts=["undecided"],
                                      limit=5)["items"]  # fmt: skip
    assert undecided, "the demo has a bounce nobody could vouch for"
    ids = {int(i["id"]) for i in undecided}
    app.notifier.min_gap = 0
    app.notifier.add(undecided)

    def ours(n: Notified) -> bool:
        return "review" in n.actions and ids <= set(
            getattr(app.notifications.note(n.id), "review", ()))

    told = wait_notified(qtbot, server, ours)
    assert told.actions["review"] == "Review"
    hide_summary(app)
    server.invoke(told.id, "review")
    qtbot.waitUntil(lambda: app.summary is not None and app.summary.isVisible(), timeout=10_000)
    summary = app.summary
    assert summary is not None
    qtbot.waitUntil(lambda: ids <= set(summary.selected_ids()), timeout=20_000)


def test_a_real_bounce_is_told_at_once_by_its_subject(
    qtbot, service, make_tray, notification_server
):
    server = notification_server
    app = make_tray(service.endpoint, window=600)  # a burst that would wait ten minutes
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    forged = [{"id": 10_000 + i, "verdict": "backscatter", "state": "quarantined",
               "quarantine_folder": "Backscatter"} for i in range(5)]  # fmt: skip
    app.notifier.add(forged)
    app.notifier.add([real_bounce(20_000, "=?utf-8?q?Quarterly_report_=E2=80=93_Q3?=")])
    told = wait_notified(qtbot, server, lambda n: "Quarterly report" in n.title)
    assert told.title == 'Not delivered: "Quarterly report – Q3"'  # RFC 2047 decoded
    assert told.body == "mail to bob@example.com failed: no such user."
    assert told.hints["urgency"] == 2
    assert not app.notifier.idle  # the burst is still being gathered: it did not wait for it
    assert [n for n in server.notified if "forged" in n.body] == []
    hide_summary(app)
    server.invoke(told.id, "default")  # a click on the notification itself
    qtbot.waitUntil(lambda: app.summary is not None and app.summary.isVisible(), timeout=10_000)
    # The same verdict heard again (a later event) is not told twice.
    app.notifier.add([real_bounce(20_000, "Quarterly report")])
    app.notifier.flush()
    qtbot.waitUntil(lambda: any("forged" in n.body for n in server.notified), timeout=10_000)
    # (The service's own catch-up may tell real bounces of the demo meanwhile: ours by name.)
    assert len([n for n in server.notified if "Quarterly report" in n.title]) == 1


def test_a_server_without_actions_gets_no_buttons(qtbot, monkeypatch):
    with SessionBus() as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        server = NotificationServer(address, actions=False)
        heard: list[tuple[int, str]] = []
        bus = DesktopBus.open(lambda nid, key: heard.append((nid, key)))
        try:
            assert bus is not None and not bus.actions_supported
            nid = bus.notify(Note("t", "b", False, actions=(("undo", "Undo last move"),)))
            assert nid is not None and server.notified[-1].actions == {}
        finally:
            if bus is not None:
                bus.close()
            server.close()


def test_without_a_notification_server_the_balloon_click_opens_the_summary(
    qtbot, service, make_tray, monkeypatch
):
    with SessionBus() as address:  # a bus, but nobody owns org.freedesktop.Notifications
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        app = make_tray(service.endpoint, window=0.2)
    assert app.notifications.way != "desktop notifications (D-Bus)"
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    with qtbot.waitSignal(app.notifier.notified, timeout=10_000):
        app.notifier.add([real_bounce(30_000, "Invoice 42")])
    hide_summary(app)
    app.tray.icon.messageClicked.emit()  # what Qt emits when the user clicks the balloon
    qtbot.waitUntil(lambda: app.summary is not None and app.summary.isVisible(), timeout=10_000)
