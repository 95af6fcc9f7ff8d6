"""The summary window against a real service: the user undoes a quarantine in one click.

Stands for: a real bounce (or a message the user wants) was quarantined; the user selects it
in the summary, presses "Restore to inbox", and the message file is back in the Maildir's
inbox; "Mark as real bounce" does the same and remembers the user's word; the message is
shown as text only.
"""

from __future__ import annotations

from ndrguard.service.api.message_view import text_view
from ndrguard.ui.app import TrayApp
from ndrguard.ui.campaigns import group, subject_key


def open_summary(qtbot, service, make_tray) -> TrayApp:
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    with qtbot.waitSignal(app.tray.menu.aboutToHide, timeout=100, raising=False):
        pass
    app.tray.summary_action.trigger()
    assert app.summary is not None
    qtbot.waitUntil(lambda: len(app.summary.items) > 0, timeout=10_000)
    return app


def inbox_names(service) -> set[str]:
    return {p.name.split(":")[0] for p in service.files()}


def test_restore_from_the_summary_moves_the_message_back(qtbot, service, make_tray):
    app = open_summary(qtbot, service, make_tray)
    window = app.summary
    assert window.tree.topLevelItemCount() >= 1  # grouped by campaign
    target = window.items[0]
    assert target["state"] == "quarantined"
    before_quarantine = {p.name.split(":")[0] for p in service.files("Backscatter")}
    before_inbox = inbox_names(service)
    window.select_ids([target["id"]])
    assert window.selected_ids() == [target["id"]] and window.restore_button.isEnabled()
    with qtbot.waitSignal(window.acted, timeout=15_000) as done:
        window.restore_button.click()
    assert done.args[1]["restored"] == [target["id"]]
    left = before_quarantine - {p.name.split(":")[0] for p in service.files("Backscatter")}
    assert len(left) == 1 and left <= inbox_names(service) - before_inbox
    qtbot.waitUntil(lambda: target["id"] not in {i["id"] for i in window.items}, timeout=5000)


def test_mark_legitimate_on_a_whole_campaign(qtbot, service, make_tray):
    app = open_summary(qtbot, service, make_tray)
    window = app.summary
    head = window.tree.topLevelItem(0)
    ids = sorted(head.child(i).data(0, 256) for i in range(head.childCount()))
    head.setSelected(True)
    assert window.selected_ids() == ids
    with qtbot.waitSignal(window.acted, timeout=15_000) as done:
        window.legit_button.click()
    assert sorted(done.args[1]["marked"]) == ids
    rows = service.client().call("verdicts", limit=500)["items"]
    assert {r["verdict"] for r in rows if r["id"] in ids} == {"legit"}


def test_the_message_is_shown_as_text_only(qtbot, service, make_tray):
    app = open_summary(qtbot, service, make_tray)
    window = app.summary
    window.select_ids([window.items[0]["id"]])
    window.message_button.click()
    qtbot.waitUntil(lambda: getattr(window, "dialog", None) is not None, timeout=10_000)
    text = window.dialog.text
    assert text.isReadOnly() and "Subject:" in text.toPlainText()
    assert type(text).__name__ == "QPlainTextEdit"  # no rich text, no HTML engine


def test_the_chart_shows_the_counts_per_day(qtbot, service, make_tray):
    app = open_summary(qtbot, service, make_tray)
    qtbot.waitUntil(lambda: bool(app.summary.chart.days), timeout=5000)
    assert sum(d.quarantined for d in app.summary.chart.days) >= 1
    assert "moved to quarantine" in app.summary.totals.text()


# -- pure parts -------------------------------------------------------------------------------

HTML_WITH_PROGRAM = (
    b"From: x@example.com\nSubject: hi\nMIME-Version: 1.0\n"
    b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/html\n\n'
    b'<p>Click <img src="http://tracker.example/x.png"> here</p>\n--b\n'
    b'Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="inv.exe"'
    b"\n\nMZ\n--b--\n"
)


def test_html_is_shown_as_text_and_programs_are_flagged():
    view = text_view(HTML_WITH_PROGRAM)
    assert "<img" not in view["text"] and "Click" in view["text"] and view["had_html"]
    assert view["attachments"] == [
        {"name": "inv.exe", "type": "application/octet-stream", "size": 2, "executable": True}
    ]


def test_campaigns_join_by_subject_or_by_network():
    def item(i, subject, net):
        return {"id": i, "details": {"original": {"subject": subject}, "network": net}}

    items = [
        item(1, "Invoice 2041", "198.51.100.0/24"),
        item(2, "Re: invoice 7", None),
        item(3, "Cheap watches", "198.51.100.0/24"),
        item(4, "Lunch?", "203.0.113.0/24"),
    ]
    groups = group(items)
    assert [sorted(i["id"] for i in g.items) for g in groups] == [[1, 2, 3], [4]]
    assert subject_key("Fwd: RE: Invoice 12") == "invoice #"


def test_campaign_is_named_after_its_commonest_subject_not_its_first_member() -> None:
    outlier = {"details": {"original": {"subject": "Cheap pills"}, "network": "192.0.2.0/24"}}
    run = [
        {"details": {"original": {"subject": f"Cheap watches {i}% off"}, "network": "192.0.2.0/24"}}
        for i in range(30)
    ]
    (campaign,) = group([outlier, *run])
    assert campaign.title == '"Cheap watches 0% off" and 1 other subject(s)'
    assert len(campaign.items) == 31
