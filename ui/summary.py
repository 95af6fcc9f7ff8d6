"""The summary window: what was quarantined and what was kept, why, grouped by campaign.

Every row is a bounce with its time, account, reporting server, the original's subject and
recipient, its shape, the verdict and the reason in words. Rows are grouped by campaign
(campaigns.py). A selection (rows, or whole campaigns) can be restored to where it came from
or marked legitimate; the chart shows the counts per day. It refreshes itself when the
service reports new verdicts, at most once a second, so a flood does not make it flicker.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ndrguard.service.api.protocol import ApiError
from ndrguard.ui.campaigns import group
from ndrguard.ui.chart import Day, DayChart
from ndrguard.ui.link import ServiceLink
from ndrguard.ui.message_dialog import MessageDialog

COLUMNS = (
    "Time",
    "Account",
    "Reporting server",
    "Original subject",
    "Recipient",
    "Shape",
    "Verdict",
    "Why",
)
BOUNCES = ["backscatter", "undecided", "legit"]
VIEWS = {
    "Moved to quarantine": ["quarantined", "quarantine-pending"],
    "Kept or restored": ["kept", "restored", "monitored"],
    "All bounces": None,
}
VERDICT_WORDS = {"backscatter": "forged", "undecided": "undecided", "legit": "real"}
ID_ROLE = Qt.ItemDataRole.UserRole
PAGE = 500
CHART_DAYS = 14


class SummaryWindow(QWidget):
    loaded = Signal(int)  # rows shown, after each refresh
    closed = Signal()  # where there is no tray, closing the window quits the app
    acted = Signal(str, dict)  # "restore" | "mark_legit", the service's answer

    def __init__(self, link: ServiceLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.setWindowTitle("ndrguard — bounces")
        self.resize(1100, 640)
        self.items: list[dict[str, Any]] = []
        layout = QVBoxLayout(self)
        self.totals = QLabel(self)
        self.totals.setWordWrap(True)
        layout.addWidget(self.totals)
        self.chart = DayChart(self)
        layout.addWidget(self.chart)
        bar = QHBoxLayout()
        self.view = QComboBox(self)
        self.view.addItems(list(VIEWS))
        self.view.currentIndexChanged.connect(self.refresh)
        bar.addWidget(QLabel("Show:", self))
        bar.addWidget(self.view)
        bar.addStretch(1)
        self.restore_button = QPushButton("Restore to inbox", self)
        self.legit_button = QPushButton("Mark as real bounce", self)
        self.message_button = QPushButton("Show message (text only)", self)
        self.refresh_button = QPushButton("Refresh", self)
        for b in (self.restore_button, self.legit_button, self.message_button, self.refresh_button):
            bar.addWidget(b)
        layout.addLayout(bar)
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda *_: self.show_message())
        layout.addWidget(self.tree, 1)
        self.status = QLabel(self)
        layout.addWidget(self.status)
        self.restore_button.clicked.connect(self.restore)
        self.legit_button.clicked.connect(self.mark_legit)
        self.message_button.clicked.connect(self.show_message)
        self.refresh_button.clicked.connect(self.refresh)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(1000)
        self._soon.timeout.connect(self.refresh)
        link.event.connect(self._on_event)
        link.connected.connect(lambda _s: self.refresh())
        link.disconnected.connect(lambda why: self.status.setText(f"Not connected: {why}"))
        self._selection_changed()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    # -- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        states = VIEWS[self.view.currentText()]
        args: dict[str, Any] = {"verdicts": BOUNCES, "limit": PAGE, "details": True}
        if states is not None:
            args["states"] = states
        self.link.call("verdicts", self._loaded, **args)
        self.link.call("summary", self._summary_loaded, days=CHART_DAYS)

    def _on_event(self, name: str, _data: dict) -> None:
        if name in ("verdicts", "changed") and self.isVisible() and not self._soon.isActive():
            self._soon.start()

    def _loaded(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(f"Could not load: {error.message if error else 'no answer'}")
            return
        self.items = result["items"]
        selected = set(self.selected_ids())
        self.tree.clear()
        for campaign in group(self.items):
            head = QTreeWidgetItem([f"{campaign.title} — {len(campaign.items)}"])
            head.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(head)
            for item in campaign.items:
                row = QTreeWidgetItem(_cells(item))
                row.setData(0, ID_ROLE, int(item["id"]))
                row.setToolTip(7, item["reason"])
                head.addChild(row)
                row.setSelected(int(item["id"]) in selected)
            head.setFirstColumnSpanned(True)
            head.setExpanded(len(campaign.items) <= 20)
        for column in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(column)
        more = " (the newest shown)" if result.get("next_before") else ""
        self.status.setText(f"{len(self.items)} bounces{more}")
        self.loaded.emit(len(self.items))

    def _summary_loaded(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            return
        days = [
            Day(
                d["day"][5:], d["counts"].get("quarantined", 0), d["counts"].get("verdict:legit", 0)
            )
            for d in result["days"]
        ]
        self.chart.set_days(days)
        t = result["totals"]
        self.totals.setText(
            f"Last {CHART_DAYS} days: {t.get('quarantined', 0)} bounces moved to quarantine, "
            f"{t.get('verdict:legit', 0)} real bounces recognised, "
            f"{t.get('verdict:undecided', 0)} undecided, {t.get('restored', 0)} restored by you."
        )

    # -- acting ----------------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        ids: list[int] = []
        for item in self.tree.selectedItems():
            if item.data(0, ID_ROLE) is not None:
                ids.append(int(item.data(0, ID_ROLE)))
            else:  # a campaign: all of it
                children = (item.child(i) for i in range(item.childCount()))
                ids += [int(c.data(0, ID_ROLE)) for c in children if c is not None]
        return sorted(set(ids))

    def select_ids(self, ids: list[int]) -> None:
        wanted = set(ids)
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            for child in (head.child(j) for j in range(head.childCount())):
                if child is not None:
                    child.setSelected(int(child.data(0, ID_ROLE)) in wanted)

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        self.restore_button.setEnabled(bool(ids))
        self.legit_button.setEnabled(bool(ids))
        self.message_button.setEnabled(len(ids) == 1)

    def restore(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.status.setText(f"Restoring {len(ids)} message(s)…")
            self.link.call("restore", lambda r, e: self._done("restore", r, e), ids=ids)

    def mark_legit(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.status.setText(f"Marking {len(ids)} message(s) as real…")
            self.link.call("mark_legit", lambda r, e: self._done("mark_legit", r, e), ids=ids)

    def _done(self, what: str, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            self.status.setText(f"Failed: {error.message if error else 'no answer'}")
            self.acted.emit(what, {"error": error.message if error else ""})
            return
        failed = result.get("failed", {})
        done = result.get("restored", [])
        text = f"{len(done)} message(s) back in the inbox"
        if what == "mark_legit":
            text = f"{len(result.get('marked', []))} marked as real; " + text
        if failed:
            text += f"; {len(failed)} not: " + "; ".join(sorted(set(failed.values())))
        self.status.setText(text)
        self.acted.emit(what, result)
        self.refresh()

    def show_message(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.link.call("message", self._show, id=ids[0])

    def _show(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            QMessageBox.warning(self, "ndrguard", error.message if error else "no answer")
            return
        self.dialog = MessageDialog(result, self)
        self.dialog.show()


def _cells(item: dict[str, Any]) -> list[str]:
    details = item.get("details") or {}
    recipients = details.get("recipients") or []
    original = details.get("original") or {}
    return [
        time.strftime("%Y-%m-%d %H:%M", time.localtime(item["decided_at"])),
        item["account"],
        details.get("reporting_mta") or "?",
        original.get("subject") or "(not returned)",
        recipients[0]["address"] if recipients else (original.get("to") or "?"),
        details.get("shape") or "?",
        VERDICT_WORDS.get(item["verdict"], item["verdict"]) + f" ({item['state']})",
        item["reason"],
    ]
