"""The summary window against a real service: the user sees why, finds, restores and undoes.

Stands for: bounces were judged; the user opens the summary, sees the forged original's
subject, the verdict and why first, reads the whole reason and every piece of evidence in the
detail pane, finds a bounce by search and filters, pages past the first page, restores a
message (after a question that says what will move) and undoes it (back into quarantine,
journalled); "Mark as real bounce" likewise. Against the demo Maildir and against a real
Dovecot over IMAPS with a self-signed CA.
"""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QMessageBox, QPushButton

from ndrguard.service.api.message_view import text_view
from ndrguard.service.demo import mail as demo_mail
from ndrguard.service.demo import mailbox as demo_mailbox
from ndrguard.ui.app import TrayApp
from ndrguard.ui.campaigns import group, subject_key
from ndrguard.ui.chart import nice_ticks
from ndrguard.ui.message_dialog import MessageDialog
from ndrguard.ui.summary import ID_ROLE, SUBJECT, VERDICT, WHY, SummaryWindow, columns
from tests.service.imap_util import (
    add_account,
    drill_bounces,
    ids,
    message_ids_in,
    running,
    service_env,
)
from tests.ui.service_process import ServiceProcess, endpoint_for


def open_summary(qtbot, endpoint, make_tray) -> TrayApp:
    app = make_tray(endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    app.tray.summary_action.trigger()
    assert app.summary is not None
    qtbot.waitUntil(lambda: len(app.summary.items) > 0, timeout=15_000)
    return app


def inbox_names(service) -> set[str]:
    return {p.name.split(":")[0] for p in service.files()}


def quarantine_names(service) -> set[str]:
    return {p.name.split(":")[0] for p in service.files("Backscatter")}


def answer(qtbot, window: SummaryWindow, accept: bool) -> str:
    """Wait for the window's question, check it names what moves, and answer it."""
    qtbot.waitUntil(lambda: window.confirmation is not None, timeout=5000)
    box = window.confirmation
    assert box is not None and box.isVisible()
    said = f"{box.text()}\n{box.informativeText()}"
    if accept:
        go = next(
            b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole
        )
        go.click()
    else:
        box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: window.confirmation is None, timeout=5000)
    return said


def verdict_of(service, verdict_id: int) -> dict:
    client = service.client()
    try:
        rows = client.call("verdicts", limit=500)["items"]
    finally:
        client.close()
    return next(r for r in rows if r["id"] == verdict_id)


def test_restore_asks_what_will_move_and_undo_puts_it_back(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    target = next(i for i in window.items if i["state"] == "quarantined")
    before_quarantine, before_inbox = quarantine_names(service), inbox_names(service)
    window.select_ids([target["id"]])
    assert window.selected_ids() == [target["id"]] and window.restore_button.isEnabled()
    window.restore_button.click()
    said = answer(qtbot, window, accept=True)
    subject = target["details"]["original"]["subject"]
    assert "Move this message" in said and subject in said and "Backscatter → INBOX" in said, said
    qtbot.waitUntil(lambda: window.outcome.text().endswith("Undo with Ctrl+Z."), timeout=15_000)
    left = before_quarantine - quarantine_names(service)
    assert len(left) == 1 and left <= inbox_names(service) - before_inbox
    assert window.undo_button.isEnabled()
    with qtbot.waitSignal(window.acted, timeout=15_000) as undone:
        window.undo_button.click()
    assert undone.args[0] == "undo" and undone.args[1]["quarantined"] == [target["id"]]
    assert quarantine_names(service) == before_quarantine and inbox_names(service) == before_inbox
    row = verdict_of(service, target["id"])
    assert row["state"] == "quarantined" and row["quarantine_folder"] == "Backscatter"
    assert not window.undo_button.isEnabled()  # one undo, not a history to walk back


def test_a_cancelled_restore_moves_nothing(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    target = next(i for i in window.items if i["state"] == "quarantined")
    before = quarantine_names(service)
    window.select_ids([target["id"]])
    window.restore_button.click()
    answer(qtbot, window, accept=False)
    assert quarantine_names(service) == before
    assert verdict_of(service, target["id"])["state"] == "quarantined"
    assert not window.undo_button.isEnabled()


def test_mark_legitimate_on_a_whole_campaign_and_undo(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    head = window.tree.topLevelItem(0)
    assert head.data(0, ID_ROLE) is None and head.childCount() >= 2  # a campaign
    ids_ = sorted(head.child(i).data(0, ID_ROLE) for i in range(head.childCount()))
    was = {i["id"]: (i["verdict"], i["reason"]) for i in window.items if i["id"] in ids_}
    head.setSelected(True)
    assert window.selected_ids() == ids_
    before = quarantine_names(service)
    window.legit_button.click()
    with qtbot.waitSignal(window.acted, timeout=15_000) as done:
        said = answer(qtbot, window, accept=True)
    assert f"Mark these {len(ids_)} bounces" in said, said
    assert done.args[0] == "mark_legit" and sorted(done.args[1]["marked"]) == ids_
    assert {verdict_of(service, i)["verdict"] for i in ids_} == {"legit"}
    with qtbot.waitSignal(window.acted, timeout=15_000) as undone:
        window.undo_button.click()
    assert sorted(undone.args[1]["unmarked"]) == ids_
    for i in ids_:
        row = verdict_of(service, i)
        assert (row["verdict"], row["reason"]) == was[i]
    assert quarantine_names(service) == before


def test_the_detail_pane_has_the_whole_reason_and_every_piece_of_evidence(
    qtbot, service, make_tray
):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    target = next(i for i in window.items if i["evidence"])
    window.select_ids([target["id"]])
    shown = window.detail.toPlainText()
    assert target["reason"] in shown
    for evidence in target["evidence"]:
        assert evidence["detail"] in shown, (target["id"], evidence)
    assert f"ID (for ndrguard restore)\t{target['id']}" in shown or str(target["id"]) in shown
    # key columns first: what the user decides by is on screen without scrolling
    assert columns()[:3] == ["Original subject", "Verdict", "Why"]
    row = window.tree.findItems(str(target["details"]["original"]["subject"]), _exact(), SUBJECT)
    assert row and row[0].text(WHY) == target["reason"] and row[0].text(VERDICT)


def _exact():
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive


def test_single_bounces_are_rows_not_campaigns(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    window.view.setCurrentIndex(2)  # all bounces: the real ones too, each unlike the others
    qtbot.waitUntil(lambda: any(i["verdict"] == "legit" for i in window.items), timeout=10_000)
    singles = campaigns = 0
    for i in range(window.tree.topLevelItemCount()):
        top = window.tree.topLevelItem(i)
        if top.data(0, ID_ROLE) is None:
            campaigns += 1
            assert top.childCount() >= 2, top.text(0)
        else:
            singles += 1
            assert top.childCount() == 0
    assert campaigns >= 1 and singles >= 1
    shown = sum(
        max(1, window.tree.topLevelItem(i).childCount())
        for i in range(window.tree.topLevelItemCount())
    )
    assert shown == len(window.items)


def test_search_and_filters_ask_the_service(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary

    def shown(**wanted):
        def done():
            return not window.loading and all(window.shown.get(k) == v for k, v in wanted.items())

        qtbot.waitUntil(done, timeout=10_000)

    window.view.setCurrentIndex(2)
    shown(states=None)
    everything = len(window.items)
    assert {i["verdict"] for i in window.items} == {"backscatter", "undecided", "legit"}
    window.verdict.setCurrentIndex(3)  # real bounces
    shown(verdicts=["legit"])
    assert {i["verdict"] for i in window.items} == {"legit"} and len(window.items) < everything
    window.verdict.setCurrentIndex(0)
    window.search.setText("watches 1")
    shown(search="watches 1", verdicts=["backscatter", "undecided", "legit"])
    subjects = sorted(i["details"]["original"]["subject"] for i in window.items)
    assert subjects == ["Cheap watches 1% off", "Cheap watches 10% off", "Cheap watches 11% off"]
    window.search.clear()
    qtbot.waitUntil(lambda: window.account.findData("demo") > 0, timeout=10_000)  # from status
    window.account.setCurrentIndex(window.account.findData("demo"))
    shown(account="demo", search=None)
    assert len(window.items) == everything
    window.when.setCurrentIndex(1)  # last 24 hours: the demo's mail was judged just now
    qtbot.waitUntil(lambda: window.shown.get("since") is not None and not window.loading)
    assert len(window.items) == everything
    window.search.setText("no such words anywhere")
    shown(search="no such words anywhere")
    assert window.items == [] and window.tree.topLevelItemCount() == 0


def test_paging_loads_older_rows_as_asked(qtbot, service, make_tray, monkeypatch):
    monkeypatch.setattr("ndrguard.ui.summary.PAGE", 5)
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    window.view.setCurrentIndex(2)
    qtbot.waitUntil(lambda: len(window.items) == 5 and not window.loading, timeout=10_000)
    assert window.next_before is not None and window.more_button.isEnabled()
    window.more_button.click()
    qtbot.waitUntil(lambda: len(window.items) == 10, timeout=10_000)
    got = [i["id"] for i in window.items]
    assert got == sorted(set(got), reverse=True)  # newest first, nothing twice
    while window.next_before is not None:  # to the end, by scrolling as a user would
        n = len(window.items)
        bar = window.tree.verticalScrollBar()
        if bar.maximum() > 0:
            bar.setValue(bar.maximum())
        else:
            window.load_more()
        qtbot.waitUntil(
            lambda n=n: len(window.items) > n or window.next_before is None, timeout=10_000
        )
    all_rows = service.client().call(
        "verdicts", verdicts=["backscatter", "undecided", "legit"], limit=500
    )
    assert [i["id"] for i in window.items] == [i["id"] for i in all_rows["items"]]
    assert not window.more_button.isEnabled()


ENCODED = "=?utf-8?B?" + base64.b64encode("Rechnung für März".encode()).decode() + "?="
BOUNCE_SUBJECT = "=?iso-8859-1?Q?Unzustellbar:_R=FCckmeldung?="


def test_subjects_are_decoded_everywhere(qtbot, service, make_tray):
    rng = random.Random(7)
    now = datetime.now(UTC)
    victim = "v1@example.net"
    spam = demo_mail.original_message(
        rng, now, demo_mailbox.USER, victim, ENCODED, via="dsl-9.dyn.example.com"
    )
    raw = demo_mail.postfix_failure(
        rng, now, demo_mailbox.USER, victim, ENCODED, "mx.example.net", spam
    )
    raw = raw.replace(
        b"Subject: Undelivered Mail Returned to Sender", f"Subject: {BOUNCE_SUBJECT}".encode(), 1
    )
    service.deliver(
        [
            demo_mailbox.Message(
                "encoded", "backscatter", "", demo_mailbox.delivered(raw, demo_mailbox.USER, now)
            )
        ]
    )
    client = service.client()

    def judged() -> bool:
        rows = client.call("verdicts", states=["quarantined"], limit=500)["items"]
        return any(r["subject"] == "Unzustellbar: Rückmeldung" for r in rows)

    try:
        qtbot.waitUntil(judged, timeout=60_000)
    finally:
        client.close()
    window = open_summary(qtbot, service.endpoint, make_tray).summary

    def shown() -> bool:
        return any(
            ((i["details"] or {}).get("original") or {}).get("subject") == "Rechnung für März"
            for i in window.items
        )

    qtbot.waitUntil(shown, timeout=20_000)
    item = next(
        i for i in window.items if i["details"]["original"]["subject"] == "Rechnung für März"
    )
    assert item["subject"] == "Unzustellbar: Rückmeldung"  # the bounce's own, from the state file
    assert window.tree.findItems("Rechnung für März", _exact(), SUBJECT)
    window.select_ids([item["id"]])
    assert "Unzustellbar: Rückmeldung" in window.detail.toPlainText()
    assert "=?" not in window.detail.toPlainText()


def test_every_control_has_a_name_and_buttons_a_key(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    controls = [
        *window.findChildren(QPushButton),
        *window.findChildren(QComboBox),
        *window.findChildren(QLineEdit),
    ]
    assert len(controls) >= 10
    for control in controls:
        if control.parent() is window.search:
            continue  # the line edit's own clear button
        assert control.accessibleName(), control
    for button in window.findChildren(QPushButton):
        assert not button.shortcut().isEmpty(), button.text()
    assert window.tree.accessibleName() and window.detail.accessibleName()
    qtbot.waitUntil(lambda: bool(window.chart.days), timeout=10_000)  # its own call
    assert "moved to quarantine" in window.chart.accessibleDescription()


def test_the_message_is_shown_as_text_only(qtbot, service, make_tray):
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    window.select_ids([window.items[0]["id"]])
    window.message_button.click()
    qtbot.waitUntil(lambda: window.dialog is not None, timeout=10_000)
    text = window.dialog.text
    assert text.isReadOnly() and "Subject:" in text.toPlainText()
    assert type(text).__name__ == "QPlainTextEdit"  # no rich text, no HTML engine


def test_the_chart_shows_the_counts_per_day(qtbot, service, make_tray):
    app = open_summary(qtbot, service.endpoint, make_tray)
    qtbot.waitUntil(lambda: bool(app.summary.chart.days), timeout=10_000)
    assert sum(d.quarantined for d in app.summary.chart.days) >= 1
    assert "moved to quarantine" in app.summary.totals.text()
    words = [w for w, _, _ in app.summary.chart.legend()]
    styles = {s for _, s, _ in app.summary.chart.legend()}
    assert len(words) == 2 and len(styles) == 2  # told apart by pattern and words, not colour


# -- over IMAP, on the test Dovecot -----------------------------------------------------------


@pytest.mark.imap
def test_restore_and_undo_over_imap(qtbot, dovecot, imap_account, make_tray, tmp_path: Path):
    home = tmp_path / "home"
    env = service_env(home)
    env["NDRGUARD_TEST_KEYRING"] = str(home / "keyring.json")  # not another test's home
    add_account(env, "work", dovecot, imap_account)
    bounces = drill_bounces(6, tag="ui")
    for raw in bounces:
        dovecot.deliver(imap_account.user, raw)
    with running(env, home):
        endpoint = endpoint_for(home)
        window = open_summary(qtbot, endpoint, make_tray).summary
        assert window is not None
        qtbot.waitUntil(lambda: len(window.items) == 6, timeout=30_000)
        target = window.items[0]
        assert target["account"] == "work" and target["state"] == "quarantined"
        mid = target["message_id"]
        window.select_ids([target["id"]])
        window.restore_button.click()
        said = answer(qtbot, window, accept=True)
        assert "work: Backscatter → INBOX" in said, said
        qtbot.waitUntil(
            lambda: message_ids_in(dovecot, imap_account, "INBOX")[mid] == 1, timeout=30_000
        )
        qtbot.waitUntil(lambda: window.undo_button.isEnabled(), timeout=30_000)
        with qtbot.waitSignal(window.acted, timeout=30_000) as undone:
            window.undo_button.click()
        assert undone.args[0] == "undo", undone.args
        assert undone.args[1]["quarantined"] == [target["id"]]
        assert message_ids_in(dovecot, imap_account, "INBOX")[mid] == 0
        assert message_ids_in(dovecot, imap_account, "Backscatter")[mid] == 1
        assert sorted(message_ids_in(dovecot, imap_account, "Backscatter")) == sorted(ids(bounces))


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


def test_a_message_without_attachments_has_no_stray_list(qtbot):
    view = {"id": 1, **text_view(b"From: x@example.com\nSubject: hi\n\nhello\n")}
    dialog = MessageDialog(view)
    qtbot.addWidget(dialog)
    assert dialog.attachments is None and not dialog.findChildren(QListWidget)
    with_program = MessageDialog({"id": 2, **text_view(HTML_WITH_PROGRAM)})
    qtbot.addWidget(with_program)
    assert with_program.attachments is not None and with_program.attachments.count() == 1


def test_axis_ticks_are_round_and_cover_the_peak():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(73) == [0, 20, 40, 60, 80]
    assert nice_ticks(400) == [0, 100, 200, 300, 400]


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
    assert [g.single for g in groups] == [False, True]
    assert subject_key("Fwd: RE: Invoice 12") == "invoice #"


def test_campaign_is_named_after_its_commonest_subject_not_its_first_member() -> None:
    outlier = {"details": {"original": {"subject": "Cheap pills"}, "network": "192.0.2.0/24"}}
    run = [
        {"details": {"original": {"subject": f"Cheap watches {i}% off"}, "network": "192.0.2.0/24"}}
        for i in range(30)
    ]
    (campaign,) = group([outlier, *run])
    assert campaign.title == '"Cheap watches 0% off" and 1 other subject(s)'
    assert campaign.name.subject == "Cheap watches 0% off" and campaign.name.others == 1
    assert len(campaign.items) == 31


def test_real_bounces_are_not_joined_by_the_users_own_network() -> None:
    def real(i, subject):
        return {
            "id": i,
            "verdict": "legit",
            "details": {"original": {"subject": subject}, "network": "192.0.2.0/24"},
        }

    groups = group([real(1, "Minutes"), real(2, "Minutes"), real(3, "Lunch")])
    assert sorted(sorted(i["id"] for i in g.items) for g in groups) == [[1, 2], [3]]


def test_review_selects_bounces_that_the_filters_hid(qtbot, service, make_tray):
    """A notification's "Review" asks for undecided bounces, which the default view (moved
    to quarantine) does not show: the window opens its filters and selects them."""
    window = open_summary(qtbot, service.endpoint, make_tray).summary
    client = service.client()
    try:
        undecided = [i["id"] for i in client.call("verdicts", verdicts=["undecided"])["items"]]
    finally:
        client.close()
    assert undecided and not {i["id"] for i in window.items} & set(undecided)
    window.select_ids(undecided)
    qtbot.waitUntil(lambda: window.selected_ids() == sorted(undecided), timeout=10_000)
    assert window.view.currentData() is None  # all bounces
    assert "Undecided" in window.detail.toPlainText() or len(undecided) > 1


def quarantined_ids(client) -> list[int]:
    """Every quarantined verdict id, newest first, page by page as any client must."""
    ids, before = [], None
    while True:
        page = client.call("verdicts", states=["quarantined"], limit=500, before=before)
        ids += [i["id"] for i in page["items"]]
        before = page["next_before"]
        if before is None:
            return ids


def test_more_than_a_page_of_500_is_reached_by_scrolling(qtbot, make_tray):
    """A flood of 540 forged bounces: the first 500 come at once, the rest when the list is
    scrolled to its end, each bounce once and in order."""
    proc = ServiceProcess(burst=540)
    try:
        proc.start()
        proc.wait_ready()
        proc.deliver(proc.box.burst)
        client = proc.client()
        forged = sum(m.expected == "backscatter" for m in [*proc.box.inbox, *proc.box.burst])
        try:  # the catch-up's forged bounces and the whole flood, moved
            qtbot.waitUntil(lambda: len(quarantined_ids(client)) == forged, timeout=120_000)
            expected = quarantined_ids(client)
        finally:
            client.close()
        window = open_summary(qtbot, proc.endpoint, make_tray).summary
        qtbot.waitUntil(lambda: len(window.items) == 500, timeout=30_000)
        # The window's stream subscribes under the flood's events without a transient
        # "Not connected" (an event sent before the answer to subscribe was read as a refusal).
        assert window.next_before is not None and "Load more" in window.status.text()
        window.tree.expandAll()
        bar = window.tree.verticalScrollBar()
        qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda: len(window.items) == len(expected), timeout=30_000)
        assert [i["id"] for i in window.items] == expected and window.next_before is None
        assert not window.more_button.isEnabled()
    finally:
        proc.close()
