"""The tray app against a real service process: state at a glance, and losing the service.

Stands for: a user whose service crashed (SIGKILL: no goodbye on the socket) must see it in
the icon within 2 s, and see it recover by itself when the service is started again; and for
the menu's pause and scan actions doing what they say on the running service.
"""

from __future__ import annotations

import time

from ndrguard.ui.app import TrayApp
from ndrguard.ui.icons import pixmap_for
from ndrguard.ui.state import TrayState, status_line, tray_state
from tests.ui.service_process import wait_for


def make_app(qtbot, service, make_tray) -> TrayApp:
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    return app


def test_disconnection_shows_within_two_seconds_and_recovers(qtbot, service, make_tray):
    app = make_app(qtbot, service, make_tray)
    qtbot.waitUntil(lambda: app.tray.state is not TrayState.DISCONNECTED, timeout=5000)
    service.kill()
    killed = time.monotonic()
    qtbot.waitUntil(lambda: app.tray.state is TrayState.DISCONNECTED, timeout=2000)
    assert time.monotonic() - killed < 2
    assert "Not connected" in app.tray.status_action.text()
    assert not app.tray.pause_action.isEnabled() and app.tray.start_action.isVisible()
    service.start()
    qtbot.waitUntil(lambda: app.tray.state is not TrayState.DISCONNECTED, timeout=15_000)
    assert app.tray.pause_action.isEnabled()


def test_pause_and_resume_from_the_menu(qtbot, service, make_tray):
    app = make_app(qtbot, service, make_tray)
    # The demo has an undecided bounce: mark it real so that "paused" is what shows.
    undecided = service.client().call("verdicts", verdicts=["undecided"])["items"]
    service.client().call("mark_legit", ids=[i["id"] for i in undecided])
    qtbot.waitUntil(lambda: app.tray.state is TrayState.WATCHING, timeout=10_000)
    app.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: app.tray.state is TrayState.PAUSED, timeout=10_000)
    assert app.tray.pause_action.text().replace("&", "") == "Resume"
    assert service.client().call("status")["accounts"][0]["state"] == "paused"
    app.tray.pause_action.trigger()
    qtbot.waitUntil(lambda: app.tray.state is TrayState.WATCHING, timeout=10_000)
    app.tray.scan_action.trigger()
    wait_for(lambda: service.client().call("status")["accounts"][0]["state"] == "watching")


def test_undecided_bounces_are_a_count_to_review_not_a_warning(qtbot, service, make_tray):
    app = make_app(qtbot, service, make_tray)
    qtbot.waitUntil(lambda: app.tray.review_action.isVisible(), timeout=5000)
    assert app.tray.state is TrayState.WATCHING  # green: nothing is wrong
    n = app.tray.snapshot["undecided_recent"]
    assert n >= 1
    assert app.tray.review_action.text().replace("&", "") == (
        "1 bounce to review…" if n == 1 else f"{n} bounces to review…"
    )
    app.tray.review_action.trigger()
    assert app.summary is not None and app.summary.isVisible()


def test_states_mean_what_they_say() -> None:
    def snap(*states: str, **kw: object) -> dict:
        accounts = [{"account": f"a{i}", "state": s} for i, s in enumerate(states)]
        return {"accounts": accounts, "paused": False, "undecided_recent": 0, **kw}

    assert tray_state(snap()) is TrayState.PAUSED  # nothing set up: not green "watching"
    assert "No mail account" in status_line(snap())
    assert tray_state(snap("watching", undecided_recent=40)) is TrayState.WATCHING
    assert tray_state(snap("watching", paused=True)) is TrayState.PAUSED
    assert tray_state(snap("backing-off")) is TrayState.WATCHING  # a network fault passes
    for needs_user in ("auth-failed", "cert-rejected", "signin-needed", "evidence-unreadable"):
        assert tray_state(snap("watching", needs_user)) is TrayState.ATTENTION, needs_user
    assert tray_state(snap("watching", config_error="x")) is TrayState.ATTENTION
    assert status_line(snap("watching")) == "Watching 1 of 1 account"
    assert "sign in again" in status_line(snap("signin-needed"))


def test_each_state_has_its_own_icon(qapp):
    images = {s: pixmap_for(s, 32).toImage() for s in TrayState}
    assert all(not i.isNull() for i in images.values())
    assert len({bytes(i.constBits()) for i in images.values()}) == len(TrayState)


def test_pause_for_an_hour_shows_grey_with_its_end_and_a_pause_ends_on_time(
    qtbot, service, make_tray
):
    """Stands for a user who pauses for a while: grey, the end in the menu, kept by the
    service across a restart, and resumed by the service when the time comes."""
    app = make_app(qtbot, service, make_tray)
    qtbot.waitUntil(lambda: app.tray.snapshot is not None, timeout=10_000)
    assert app.tray.pause_hour_action.isVisible() and app.tray.pause_tomorrow_action.isVisible()
    app.tray.pause_hour_action.trigger()
    qtbot.waitUntil(lambda: app.tray.state is TrayState.PAUSED, timeout=10_000)
    until = app.tray.snapshot["paused_until"]
    assert until is not None  # told with its end from the first status that says paused
    assert abs(until - (time.time() + 3600)) < 120
    end = time.strftime("%H:%M", time.localtime(until))
    assert end in app.tray.status_action.text(), app.tray.status_action.text()
    assert app.tray.status_action.text().startswith("Paused until")
    assert not app.tray.pause_hour_action.isVisible()  # paused: "Resume" is the choice
    service.kill()  # a restart keeps the pause and its end
    service.start()
    service.wait_ready(watching=False)
    qtbot.waitUntil(lambda: app.tray.state is TrayState.PAUSED and bool(
        app.tray.snapshot.get("paused_until")), timeout=20_000)  # fmt: skip
    assert app.tray.snapshot["paused_until"] == until
    # A pause that ends in two seconds: the service resumes by itself.
    service.client().call("pause", until=time.time() + 2)
    qtbot.waitUntil(lambda: app.tray.state is TrayState.WATCHING, timeout=30_000)
    assert app.tray.snapshot["paused_until"] is None
    assert not service.client().call("status")["paused"]


def test_a_pause_that_ends_in_the_past_is_refused(service):
    from ndrguard.service.api.protocol import ApiError

    try:
        service.client().call("pause", until=time.time() - 10)
    except ApiError as err:
        assert "not in the future" in err.message
    else:
        raise AssertionError("a pause until the past was accepted")
    assert not service.client().call("status")["paused"]


def test_paused_words_name_the_end(qapp):
    from datetime import datetime

    from ndrguard.ui.state import paused_text
    from ndrguard.ui.tray import tomorrow_morning

    now = datetime(2026, 12, 4, 15, 30)
    assert paused_text(None, now) == "Paused: no mail is being moved"
    assert paused_text(datetime(2026, 12, 4, 16, 30).timestamp(), now) == (
        "Paused until 16:30: no mail is being moved")
    morning = tomorrow_morning(now)
    assert morning == datetime(2026, 12, 5, 8, 0)
    assert paused_text(morning.timestamp(), now) == (
        "Paused until tomorrow 08:00: no mail is being moved")


def test_a_refused_menu_action_is_told_as_a_notification(qtbot, service, make_tray):
    """Stands for a pause the service refuses: the user is told in a notification (which
    reaches a desktop without a tray too), in the service's words."""
    from ndrguard.service.api.protocol import BadRequest

    app = make_app(qtbot, service, make_tray)
    shown: list = []
    app.notifications.show = shown.append
    app.tray.link.call("pause", app.tray._answered, until=1.0)  # in the past: refused
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0].title == BadRequest.title
    assert "not in the future" in shown[0].body, shown[0]
    assert not service.client().call("status")["paused"]
