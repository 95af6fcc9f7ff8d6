"""The tray app against a real service process: state at a glance, and losing the service.

Stands for: a user whose service crashed (SIGKILL: no goodbye on the socket) must see it in
the icon within 2 s, and see it recover by itself when the service is started again; and for
the menu's pause and scan actions doing what they say on the running service.
"""

from __future__ import annotations

import time

from ndrguard.ui.app import TrayApp
from ndrguard.ui.icons import pixmap_for
from ndrguard.ui.state import TrayState
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


def test_undecided_bounces_ask_for_attention(qtbot, service, make_tray):
    app = make_app(qtbot, service, make_tray)
    qtbot.waitUntil(lambda: app.tray.state is TrayState.ATTENTION, timeout=5000)
    assert "undecided" in app.tray.status_action.text()


def test_each_state_has_its_own_icon(qapp):
    images = {s: pixmap_for(s, 32).toImage() for s in TrayState}
    assert all(not i.isNull() for i in images.values())
    assert len({bytes(i.constBits()) for i in images.values()}) == len(TrayState)
