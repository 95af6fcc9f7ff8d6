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
    assert app.tray.pause_action.text() == "Resume"
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
    assert app.tray.review_action.text() == (
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
