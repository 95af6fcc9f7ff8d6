"""The summary window: what was quarantined and what was kept, why, grouped by campaign.

The columns a user decides by come first (the forged original's subject, the verdict, why),
then when, which account, the recipient, the reporting server and the shape. Selecting a row
shows, in the detail pane beside the list, the whole reason and every piece of evidence with
what it proves, the bounce's facts and where the message is now. Rows are grouped by campaign
(campaigns.py); a bounce that shares nothing with another is a plain row, not a campaign of one.

Search (subject, sender, recipient, reason) and the account, verdict, state and date filters
are asked of the service, which pages by id: the window loads PAGE rows, and more when the
list is scrolled to its end or "Load more" is pressed. Restore and "mark as real" ask first,
saying how many messages move from where to where, and can be undone (Ctrl+Z): an undone
restore puts the messages back in quarantine through the API, journalled like any move, and an
undone "mark as real" gives the verdicts back what they said before. It refreshes itself when
the service reports new verdicts, at most once a second, so a flood does not make it flicker.
"""

from __future__ import annotations

import html
import time
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ndrguard.service.api.protocol import ApiError, Outcome
from ndrguard.ui.campaigns import Campaign, group
from ndrguard.ui.chart import Day, DayChart
from ndrguard.ui.link import ServiceLink
from ndrguard.ui.message_dialog import MessageDialog

BOUNCES: list[str] = [Outcome.BACKSCATTER, Outcome.UNDECIDED, Outcome.LEGIT]
ID_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # a campaign's name, to keep it open across refreshes
PAGE = 500
CHART_DAYS = 14
DAY = 86400.0
# Column index by what it shows; the order is the order on screen.
SUBJECT, VERDICT, WHY, TIME, ACCOUNT, RECIPIENT, SERVER, SHAPE = range(8)


def columns() -> list[str]:
    return [
        QCoreApplication.translate("SummaryWindow", "Original subject"),
        QCoreApplication.translate("SummaryWindow", "Verdict"),
        QCoreApplication.translate("SummaryWindow", "Why"),
        QCoreApplication.translate("SummaryWindow", "Time"),
        QCoreApplication.translate("SummaryWindow", "Account"),
        QCoreApplication.translate("SummaryWindow", "Recipient"),
        QCoreApplication.translate("SummaryWindow", "Reporting server"),
        QCoreApplication.translate("SummaryWindow", "Shape"),
    ]


def views() -> list[tuple[str, list[str] | None]]:
    """The state filter: what the user sees in the combo, and the states it asks for."""
    return [
        (
            QCoreApplication.translate("SummaryWindow", "Moved to quarantine"),
            ["quarantined", "quarantine-pending"],
        ),
        (
            QCoreApplication.translate("SummaryWindow", "Kept or restored"),
            ["kept", "restored", "monitored", "held"],
        ),
        (QCoreApplication.translate("SummaryWindow", "All bounces"), None),
    ]


def verdict_filters() -> list[tuple[str, list[str]]]:
    return [
        (QCoreApplication.translate("SummaryWindow", "Any verdict"), BOUNCES),
        (QCoreApplication.translate("SummaryWindow", "Forged (backscatter)"), ["backscatter"]),
        (QCoreApplication.translate("SummaryWindow", "Undecided"), ["undecided"]),
        (QCoreApplication.translate("SummaryWindow", "Real bounces"), ["legit"]),
    ]


def date_filters() -> list[tuple[str, float | None]]:
    """How far back, in seconds (None: all time)."""
    return [
        (QCoreApplication.translate("SummaryWindow", "Any time"), None),
        (QCoreApplication.translate("SummaryWindow", "Last 24 hours"), DAY),
        (QCoreApplication.translate("SummaryWindow", "Last 7 days"), 7 * DAY),
        (QCoreApplication.translate("SummaryWindow", "Last 30 days"), 30 * DAY),
    ]


def verdict_words(verdict: str) -> str:
    return {
        "backscatter": QCoreApplication.translate("SummaryWindow", "forged"),
        "undecided": QCoreApplication.translate("SummaryWindow", "undecided"),
        "legit": QCoreApplication.translate("SummaryWindow", "real"),
    }.get(verdict, verdict)


def state_words(state: str) -> str:
    return {
        "quarantined": QCoreApplication.translate("SummaryWindow", "in quarantine"),
        "quarantine-pending": QCoreApplication.translate(
            "SummaryWindow", "being moved to quarantine"
        ),
        "kept": QCoreApplication.translate("SummaryWindow", "kept in place"),
        "restored": QCoreApplication.translate("SummaryWindow", "restored by you"),
        "monitored": QCoreApplication.translate("SummaryWindow", "left in place (monitor policy)"),
        "held": QCoreApplication.translate("SummaryWindow", "held: evidence could not be read yet"),
        "gone": QCoreApplication.translate("SummaryWindow", "moved or deleted by someone else"),
    }.get(state, state)


def strength_words(strength: str) -> str:
    return {
        "proves-legit": QCoreApplication.translate("SummaryWindow", "proves it real"),
        "proves-forged": QCoreApplication.translate("SummaryWindow", "proves it forged"),
        "suggests-legit": QCoreApplication.translate(
            "SummaryWindow", "suggests it is real (not proof)"
        ),
        "unreadable": QCoreApplication.translate("SummaryWindow", "could not be read"),
        "none": QCoreApplication.translate("SummaryWindow", "proves nothing either way"),
    }.get(strength, strength)


def count_words(n: int, one: str, many: str) -> str:
    """`one` for 1, else `many` with {n}: English plurals without a catalogue."""
    return one if n == 1 else many.format(n=n)


class SummaryWindow(QWidget):
    loaded = Signal(int)  # rows shown, after each load (first page or more)
    closed = Signal()  # where there is no tray, closing the window quits the app
    acted = Signal(str, dict)  # "restore" | "mark_legit" | "undo", the service's answer

    def __init__(self, link: ServiceLink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self.setWindowTitle(self.tr("ndrguard — bounces"))
        self.resize(1240, 720)
        self.items: list[dict[str, Any]] = []
        self.next_before: int | None = None
        self.loading = False
        self._generation = 0  # answers to an older query (filters changed since) are dropped
        self.confirmation: QMessageBox | None = None
        self.last_action: dict[str, Any] | None = None  # what Undo would undo
        self.dialog: MessageDialog | None = None
        self._asked: dict[str, Any] = {}
        self._pending_select: set[int] = set()  # asked for before they were loaded
        self.shown: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        self.totals = QLabel(self)
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName(self.tr("Totals of the last 14 days"))
        layout.addWidget(self.totals)
        self.chart = DayChart(self)
        layout.addWidget(self.chart)
        layout.addLayout(self._filter_bar())
        layout.addLayout(self._action_bar())
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.tree = QTreeWidget(split)
        self.tree.setColumnCount(len(columns()))
        self.tree.setHeaderLabels(columns())
        self.tree.setAccessibleName(self.tr("Bounces, grouped by campaign"))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHY, QHeaderView.ResizeMode.Interactive)
        for column, width in ((SUBJECT, 200), (VERDICT, 170), (WHY, 250), (TIME, 115)):
            self.tree.setColumnWidth(column, width)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemActivated.connect(self._activated)
        bar = self.tree.verticalScrollBar()
        if bar is not None:
            bar.valueChanged.connect(self._scrolled)
        self.detail = QTextBrowser(split)
        self.detail.setOpenLinks(False)
        self.detail.setAccessibleName(self.tr("Details of the selected bounce"))
        self.detail.setMinimumWidth(300)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([760, 460])
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setAccessibleName(self.tr("What the window did last"))
        self.status.setWordWrap(True)
        bottom.addWidget(self.status, 1)
        # What the last restore or mark did, with its Undo: kept apart from the count above,
        # which every refresh rewrites.
        self.outcome = QLabel(self)
        self.outcome.setAccessibleName(self.tr("What your last action did"))
        self.outcome.setWordWrap(True)
        bottom.addWidget(self.outcome, 2)
        self.more_button = QPushButton(self.tr("Load &more"), self)
        self.more_button.setAccessibleName(self.tr("Load more bounces"))
        self.more_button.setShortcut(QKeySequence("Ctrl+N"))
        self.more_button.setToolTip(self.tr("Load the next page of older bounces (Ctrl+N)"))
        self.more_button.clicked.connect(self.load_more)
        bottom.addWidget(self.more_button)
        layout.addLayout(bottom)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.search.setFocus)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(1000)
        self._soon.timeout.connect(self.refresh)
        self._typing = QTimer(self)  # search as you type, once the typing pauses
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.refresh)
        link.event.connect(self._on_event)
        link.connected.connect(self._on_connected)
        link.disconnected.connect(self._on_disconnected)
        self._selection_changed()

    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(
            self.tr("Search subject, sender, recipient, reason (Ctrl+F)")
        )
        self.search.setAccessibleName(self.tr("Search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        bar.addWidget(self.search, 2)
        self.view = self._combo(bar, self.tr("&Show:"), self.tr("Which bounces to show"), views())
        self.verdict = self._combo(
            bar, self.tr("&Verdict:"), self.tr("Filter by verdict"), verdict_filters()
        )
        self.account = self._combo(
            bar,
            self.tr("A&ccount:"),
            self.tr("Filter by account"),
            [(self.tr("All accounts"), None)],
        )
        self.when = self._combo(bar, self.tr("&Date:"), self.tr("Filter by date"), date_filters())
        return bar

    def _combo(self, bar: QHBoxLayout, label: str, name: str, choices: list[Any]) -> QComboBox:
        box = QComboBox(self)
        for words, value in choices:
            box.addItem(words, value)
        box.setAccessibleName(name)
        buddy = QLabel(label, self)
        buddy.setBuddy(box)  # the & in the label is the box's Alt shortcut
        bar.addWidget(buddy)
        bar.addWidget(box)
        box.currentIndexChanged.connect(self.refresh)
        return box

    def _action_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()

        def button(text: str, name: str, keys: str, tip: str) -> QPushButton:
            b = QPushButton(text, self)
            b.setAccessibleName(name)
            b.setShortcut(QKeySequence(keys))
            b.setToolTip(tip)
            bar.addWidget(b)
            return b

        self.restore_button = button(
            self.tr("&Restore to inbox"), self.tr("Restore to inbox"), "Ctrl+R",
            self.tr("Move the selected messages back where they came from (Ctrl+R)"),
        )  # fmt: skip
        self.legit_button = button(
            self.tr("Mark as &real bounce"), self.tr("Mark as real bounce"), "Ctrl+L",
            self.tr("Say these are real bounces of your mail, and put them back (Ctrl+L)"),
        )  # fmt: skip
        self.message_button = button(
            self.tr("Show &message (text only)"), self.tr("Show message as text only"), "Ctrl+M",
            self.tr("Open the message as plain text; nothing in it is rendered (Ctrl+M, Enter)"),
        )  # fmt: skip
        self.undo_button = button(
            self.tr("&Undo"), self.tr("Undo the last restore or mark"), "Ctrl+Z",
            self.tr("Undo what you did last in this window (Ctrl+Z)"),
        )  # fmt: skip
        bar.addStretch(1)
        self.refresh_button = button(
            self.tr("Re&fresh"), self.tr("Refresh"), "F5", self.tr("Load again (F5)")
        )
        self.restore_button.clicked.connect(self.restore)
        self.legit_button.clicked.connect(self.mark_legit)
        self.message_button.clicked.connect(self.show_message)
        self.undo_button.clicked.connect(self.undo)
        self.refresh_button.clicked.connect(self.refresh)
        return bar

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    # -- loading ---------------------------------------------------------------------------

    def query(self) -> dict[str, Any]:
        """The service's `verdicts` arguments for what the filters say."""
        args: dict[str, Any] = {"verdicts": self.verdict.currentData(), "details": True}
        states = self.view.currentData()
        if states is not None:
            args["states"] = states
        if self.account.currentData() is not None:
            args["account"] = self.account.currentData()
        back = self.when.currentData()
        if back is not None:
            args["since"] = time.time() - float(back)
        if self.search.text().strip():
            args["search"] = self.search.text().strip()
        return args

    def refresh(self) -> None:
        self._generation += 1
        self.loading = True
        self._asked = self.query()
        self.link.call(
            "verdicts", partial(self._loaded, self._generation, False), limit=PAGE, **self._asked
        )
        self.link.call("summary", self._summary_loaded, days=CHART_DAYS)
        self.link.call("status", self._status_loaded)

    def load_more(self) -> None:
        """The next page, older than what is shown (keyset paging on the verdict id)."""
        if self.next_before is None or self.loading:
            return
        self.loading = True
        self.status.setText(self.tr("Loading more…"))
        self.link.call(
            "verdicts",
            partial(self._loaded, self._generation, True),
            limit=PAGE,
            before=self.next_before,
            **self._asked,
        )

    def _scrolled(self, value: int) -> None:
        bar = self.tree.verticalScrollBar()
        if bar is not None and value >= bar.maximum() > 0:
            self.load_more()

    def _search_changed(self, _text: str) -> None:
        self._typing.start()

    def _on_connected(self, _snapshot: dict) -> None:
        self.refresh()

    def _on_disconnected(self, why: str) -> None:
        self.status.setText(self.tr("Not connected: {why}").format(why=why))

    def _on_event(self, name: str, _data: dict) -> None:
        if name in ("verdicts", "changed") and self.isVisible() and not self._soon.isActive():
            self._soon.start()

    def _loaded(
        self, generation: int, more: bool, result: dict[str, Any] | None, error: ApiError | None
    ) -> None:
        if generation != self._generation:
            return  # the filters changed while this was on its way
        self.loading = False
        if error is not None or result is None:
            why = error.message if error else self.tr("no answer")
            self.status.setText(self.tr("Could not load: {why}").format(why=why))
            if self.isVisible() and self.link.is_connected:
                self._soon.start()  # asked again in a second, not left showing old rows
            return
        self.items = [*self.items, *result["items"]] if more else list(result["items"])
        self.shown = self._asked  # the question the rows answer (the tests wait on it)
        self.next_before = result.get("next_before")
        self._fill()
        n = len(self.items)
        text = count_words(n, self.tr("1 bounce shown"), self.tr("{n} bounces shown"))
        if self.next_before is not None:
            text += " " + self.tr("(the newest; scroll down or press Load more for older ones)")
        self.status.setText(text)
        self.more_button.setEnabled(self.next_before is not None)
        self.loaded.emit(n)

    def _fill(self) -> None:
        selected = set(self.selected_ids())
        bar = self.tree.verticalScrollBar()
        keep = bar.value() if bar is not None else 0
        # A campaign the user opened (or closed) stays so across refreshes.
        opened: dict[str, bool] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is not None and top.data(0, ID_ROLE) is None:
                opened[str(top.data(0, KEY_ROLE))] = top.isExpanded()
        self.tree.clear()
        singles: list[dict[str, Any]] = []
        for campaign in group(self.items):
            if campaign.single:
                singles.append(campaign.items[0])
                continue
            head = QTreeWidgetItem([self._campaign_title(campaign)])
            key = repr(campaign.name)
            head.setData(0, KEY_ROLE, key)
            self.tree.addTopLevelItem(head)
            head.setFirstColumnSpanned(True)
            for item in campaign.items:
                head.addChild(self._row(item, selected))
            head.setExpanded(opened.get(key, len(campaign.items) <= 20))
        for item in sorted(singles, key=lambda i: -int(i["id"])):
            self.tree.addTopLevelItem(self._row(item, selected))
        if bar is not None:
            bar.setValue(keep)
        pending = self._pending_select
        if pending and self._select_rows(pending) >= pending:
            self._pending_select = set()
        self._selection_changed()

    def _campaign_title(self, campaign: Campaign) -> str:
        name, n = campaign.name, len(campaign.items)
        if name.subject is not None and all(i["verdict"] == Outcome.LEGIT for i in campaign.items):
            title = self.tr('Your message "{subject}"').format(subject=name.subject)
        elif name.subject is not None:
            title = self.tr('Campaign "{subject}"').format(subject=name.subject)
            if name.others:
                title += " " + count_words(
                    name.others, self.tr("and 1 other subject"), self.tr("and {n} other subjects")
                )
        elif name.network is not None:
            title = self.tr("Campaign sent from {network}").format(network=name.network)
        else:
            title = self.tr('Bounces titled "{subject}" (no original returned)').format(
                subject=name.bounce_subject or self.tr("(no subject)")
            )
        return f"{title} — " + count_words(n, self.tr("1 bounce"), self.tr("{n} bounces"))

    def _row(self, item: dict[str, Any], selected: set[int]) -> QTreeWidgetItem:
        row = QTreeWidgetItem(cells(item))
        row.setData(0, ID_ROLE, int(item["id"]))
        row.setToolTip(WHY, item["reason"])
        row.setToolTip(SUBJECT, row.text(SUBJECT))
        row.setSelected(int(item["id"]) in selected)
        return row

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
            self.tr(
                "Last {days} days: moved to quarantine {q}; real bounces recognised {r};"
                " undecided {u}; restored by you {s}."
            ).format(
                days=CHART_DAYS,
                q=t.get("quarantined", 0),
                r=t.get("verdict:legit", 0),
                u=t.get("verdict:undecided", 0),
                s=t.get("restored", 0),
            )
        )

    def _status_loaded(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        """The account filter lists the accounts the service has."""
        if error is not None or result is None:
            return
        names = sorted(str(a["account"]) for a in result.get("accounts", []))
        have = [self.account.itemData(i) for i in range(1, self.account.count())]
        if names != have:
            current = self.account.currentData()
            self.account.blockSignals(True)
            while self.account.count() > 1:
                self.account.removeItem(1)
            for name in names:
                self.account.addItem(name, name)
            found = self.account.findData(current)
            self.account.setCurrentIndex(max(found, 0))
            self.account.blockSignals(False)

    # -- the detail pane -------------------------------------------------------------------

    def current_item(self) -> dict[str, Any] | None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return None
        return next((i for i in self.items if int(i["id"]) == ids[0]), None)

    def _show_detail(self) -> None:
        item = self.current_item()
        if item is None:
            n = len(self.selected_ids())
            self.detail.setHtml(
                "<p>"
                + html.escape(
                    self.tr("Select a bounce to see why it was judged so.")
                    if n == 0
                    else self.tr("{n} bounces selected.").format(n=n)
                )
                + "</p>"
            )
            return
        self.detail.setHtml(detail_html(item))

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
        """Select these bounces (a notification's "Review"). Ones not loaded yet, or hidden by
        the filters, are selected once they are: the filters open up to all bounces."""
        wanted = set(ids)
        found = self._select_rows(wanted)
        if found < wanted:
            self._pending_select = wanted
            if self.view.currentData() is not None or self.search.text():
                self.search.clear()
                self.verdict.setCurrentIndex(0)
                self.account.setCurrentIndex(0)
                self.when.setCurrentIndex(0)
                self.view.setCurrentIndex(len(views()) - 1)  # all bounces; refreshes
        else:
            self._pending_select = set()

    def _select_rows(self, wanted: set[int]) -> set[int]:
        rows: list[QTreeWidgetItem] = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            rows += [top] if top.data(0, ID_ROLE) is not None else []
            rows += [c for c in (top.child(j) for j in range(top.childCount())) if c is not None]
        found: set[int] = set()
        first: QTreeWidgetItem | None = None
        for row in rows:
            hit = int(row.data(0, ID_ROLE)) in wanted
            row.setSelected(hit)
            if hit:
                found.add(int(row.data(0, ID_ROLE)))
                first = first or row
        if first is not None:
            self.tree.scrollToItem(first)
        return found

    def _selection_changed(self) -> None:
        ids = self.selected_ids()
        chosen = [i for i in self.items if int(i["id"]) in set(ids)]
        self.restore_button.setEnabled(any(i["state"] == "quarantined" for i in chosen))
        self.legit_button.setEnabled(any(i["verdict"] != Outcome.LEGIT for i in chosen))
        self.message_button.setEnabled(len(ids) == 1)
        self.undo_button.setEnabled(self.last_action is not None)
        self._show_detail()

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, ID_ROLE) is not None:
            self.show_message()

    def _chosen(self) -> list[dict[str, Any]]:
        wanted = set(self.selected_ids())
        return [i for i in self.items if int(i["id"]) in wanted]

    def restore(self) -> None:
        moving = [i for i in self._chosen() if i["state"] == "quarantined"]
        if not moving:
            return
        text = count_words(
            len(moving),
            self.tr("Move this message out of quarantine, back where it came from?"),
            self.tr("Move these {n} messages out of quarantine, back where they came from?"),
        )
        self._confirm(
            text, moves_list(moving), self.tr("&Restore"), partial(self._do, "restore", moving)
        )

    def mark_legit(self) -> None:
        marking = [i for i in self._chosen() if i["verdict"] != Outcome.LEGIT]
        if not marking:
            return
        moving = [i for i in marking if i["state"] == "quarantined"]
        text = count_words(
            len(marking),
            self.tr("Mark this bounce as a real bounce of your mail?"),
            self.tr("Mark these {n} bounces as real bounces of your mail?"),
        )
        text += " " + self.tr(
            "ndrguard will not move them again; {m} of them go back from quarantine now."
        ).format(m=len(moving))
        self._confirm(
            text, moves_list(marking), self.tr("Mark as &real"),
            partial(self._do, "mark_legit", marking),
        )  # fmt: skip

    def _confirm(self, text: str, listing: str, yes: str, then: Any) -> None:
        """Asks without blocking (open(), not exec()): the event loop, the service link and
        the tests go on while the question is up."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("ndrguard"), text, parent=self)
        box.setInformativeText(listing + "\n\n" + self.tr("You can undo this (Ctrl+Z)."))
        go = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        go.setAccessibleName(yes.replace("&", ""))
        box.setDefaultButton(go)
        box.setAccessibleName(self.tr("Confirm the move"))

        def answered() -> None:
            chosen = box.clickedButton() is go
            self.confirmation = None
            box.deleteLater()
            if chosen:
                then()

        box.finished.connect(answered)
        self.confirmation = box
        box.open()

    def _do(self, what: str, chosen: list[dict[str, Any]]) -> None:
        ids = [int(i["id"]) for i in chosen]
        was = {str(i["id"]): [i["verdict"], i["reason"], i["state"]] for i in chosen}
        if what == "restore":
            self.outcome.setText(self.tr("Restoring {n} message(s)…").format(n=len(ids)))
        else:
            self.outcome.setText(self.tr("Marking {n} bounce(s) as real…").format(n=len(ids)))
        self.link.call(what, partial(self._done, what, was), ids=ids)

    def _done(
        self,
        what: str,
        was: dict[str, list[str]],
        result: dict[str, Any] | None,
        error: ApiError | None,
    ) -> None:
        if error is not None or result is None:
            why = error.message if error else self.tr("no answer")
            self.outcome.setText(self.tr("Failed: {why}").format(why=why))
            self.acted.emit(what, {"error": why})
            return
        failed = result.get("failed", {})
        done = result.get("restored", [])
        if what == "mark_legit":
            marked = result.get("marked", [])
            text = self.tr("{m} marked as real; {n} back in their folder").format(
                m=len(marked), n=len(done)
            )
            # Undone: the verdicts say again what they said, and what moved back goes back.
            undo_was = {k: v for k, v in was.items() if int(k) in set(marked)}
            self.last_action = {"what": what, "ids": done, "was": undo_was}
        else:
            text = count_words(
                len(done),
                self.tr("1 message back where it came from"),
                self.tr("{n} messages back where they came from"),
            )
            self.last_action = {"what": what, "ids": done, "was": {}}
        if failed:
            text += "; " + self.tr("{n} not: {why}").format(
                n=len(failed), why="; ".join(sorted(set(failed.values())))
            )
        if self.last_action["ids"] or self.last_action["was"]:
            text += " " + self.tr("— Undo with Ctrl+Z.")
        else:
            self.last_action = None
        self.outcome.setText(text)
        self.undo_button.setEnabled(self.last_action is not None)
        self.acted.emit(what, result)
        self.refresh()

    def undo(self) -> None:
        """Undo the last restore or mark in this window: back into quarantine, journalled."""
        last = self.last_action
        if last is None:
            return
        self.last_action = None
        self.undo_button.setEnabled(False)
        self.outcome.setText(self.tr("Undoing: back to quarantine…"))
        self.link.call("quarantine", self._undone, ids=last["ids"], was=last["was"])

    def _undone(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            why = error.message if error else self.tr("no answer")
            self.outcome.setText(self.tr("Undo failed: {why}").format(why=why))
            self.acted.emit("undo", {"error": why})
            return
        n = len(result.get("quarantined", []))
        text = count_words(
            n,
            self.tr("Undone: 1 message back in quarantine"),
            self.tr("Undone: {n} messages back in quarantine"),
        )
        if result.get("unmarked"):
            text += "; " + self.tr("{m} verdict(s) as they were").format(m=len(result["unmarked"]))
        failed = result.get("failed", {})
        if failed:
            text += "; " + self.tr("{n} not: {why}").format(
                n=len(failed), why="; ".join(sorted(set(failed.values())))
            )
        self.outcome.setText(text)
        self.acted.emit("undo", result)
        self.refresh()

    def show_message(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            self.link.call("message", self._show, id=ids[0])

    def _show(self, result: dict[str, Any] | None, error: ApiError | None) -> None:
        if error is not None or result is None:
            QMessageBox.warning(self, self.tr("ndrguard"), error.message if error else "")
            return
        self.dialog = MessageDialog(result, self)
        self.dialog.show()

    def show_undecided(self) -> None:
        """For "Review" in a notification: the undecided bounces, whatever their state."""
        self.view.setCurrentIndex(len(views()) - 1)
        self.verdict.setCurrentIndex(2)


def cells(item: dict[str, Any]) -> list[str]:
    details = item.get("details") or {}
    recipients = details.get("recipients") or []
    original = details.get("original") or {}
    subject = original.get("subject") or QCoreApplication.translate(
        "SummaryWindow", "(not returned)"
    )
    cells = [""] * 8
    cells[SUBJECT] = subject
    cells[VERDICT] = f"{verdict_words(item['verdict'])}, {state_words(item['state'])}"
    cells[WHY] = item["reason"]
    cells[TIME] = time.strftime("%Y-%m-%d %H:%M", time.localtime(item["decided_at"]))
    cells[ACCOUNT] = item["account"]
    cells[RECIPIENT] = recipients[0]["address"] if recipients else (original.get("to") or "?")
    cells[SERVER] = details.get("reporting_mta") or "?"
    cells[SHAPE] = details.get("shape") or "?"
    return cells


def moves_list(items: list[dict[str, Any]], shown: int = 8) -> str:
    """What will move, in lines the user can check: subject, from where to where."""
    lines = []
    for i in items[:shown]:
        subject = ((i.get("details") or {}).get("original") or {}).get("subject") or i.get(
            "subject"
        )
        if i["state"] == "quarantined":
            line = QCoreApplication.translate(
                "SummaryWindow", "• {subject} — {account}: {src} → {dest}"
            )
        else:
            line = QCoreApplication.translate(
                "SummaryWindow", "• {subject} — {account}: stays in {dest}"
            )
        lines.append(
            line.format(
                subject=subject or QCoreApplication.translate("SummaryWindow", "(no subject)"),
                account=i["account"],
                src=i.get("quarantine_folder") or i["folder"],
                dest=i["folder"],
            )
        )
    if len(items) > shown:
        lines.append(
            QCoreApplication.translate("SummaryWindow", "… and {n} more").format(
                n=len(items) - shown
            )
        )
    return "\n".join(lines)


def detail_html(item: dict[str, Any]) -> str:
    """The whole story of one verdict, escaped (subjects and reasons come from hostile mail)."""
    e = html.escape
    details = item.get("details") or {}
    original = details.get("original") or {}
    no_subject = QCoreApplication.translate("SummaryWindow", "(no subject)")
    verdict = QCoreApplication.translate("SummaryWindow", "Verdict:")
    why = QCoreApplication.translate("SummaryWindow", "Why:")
    said = QCoreApplication.translate("SummaryWindow", "Evidence:")
    out = [
        f"<h3>{e(original.get('subject') or item.get('subject') or no_subject)}</h3>",
        f"<p><b>{e(verdict)}</b> {e(verdict_words(item['verdict']))}"
        f" — {e(state_words(item['state']))}</p>",
        f"<p><b>{e(why)}</b> {e(item['reason'])}</p>",
        f"<p><b>{e(said)}</b></p>",
    ]
    evidence = item.get("evidence") or []
    if evidence:
        out.append("<ul>")
        for ev in evidence:
            out.append(
                f"<li><b>{e(strength_words(str(ev.get('strength'))))}</b> "
                f"({e(str(ev.get('kind')))}): {e(str(ev.get('detail')))}</li>"
            )
        out.append("</ul>")
    else:
        none = QCoreApplication.translate(
            "SummaryWindow", "None: nothing proved this bounce real or forged."
        )
        out.append(f"<p>{e(none)}</p>")
    where = item["folder"]
    if item.get("quarantine_folder"):
        where = QCoreApplication.translate("SummaryWindow", "{q} (came from {f})").format(
            q=item["quarantine_folder"], f=item["folder"]
        )
    facts: list[tuple[str, str | None]] = [
        (QCoreApplication.translate("SummaryWindow", "Where it is"), where),
        (QCoreApplication.translate("SummaryWindow", "Account"), item["account"]),
        (QCoreApplication.translate("SummaryWindow", "ID (for ndrguard restore)"), str(item["id"])),
        (
            QCoreApplication.translate("SummaryWindow", "Judged"),
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(item["decided_at"])),
        ),
        (QCoreApplication.translate("SummaryWindow", "Policy"), item.get("policy")),
        (QCoreApplication.translate("SummaryWindow", "Bounce from"), item.get("from")),
        (QCoreApplication.translate("SummaryWindow", "Bounce subject"), item.get("subject")),
        (
            QCoreApplication.translate("SummaryWindow", "Reporting server"),
            details.get("reporting_mta"),
        ),
        (QCoreApplication.translate("SummaryWindow", "What came back"), details.get("shape")),
        (QCoreApplication.translate("SummaryWindow", "Original from"), original.get("from")),
        (QCoreApplication.translate("SummaryWindow", "Original to"), original.get("to")),
        (
            QCoreApplication.translate("SummaryWindow", "Original Message-ID"),
            original.get("message_id"),
        ),
        (QCoreApplication.translate("SummaryWindow", "Original sent from"), details.get("network")),
        (
            QCoreApplication.translate("SummaryWindow", "Recognised by"),
            details.get("recognised_by"),
        ),
    ]
    for r in details.get("recipients") or []:
        words = " ".join(str(r.get(k) or "") for k in ("action", "status")).strip()
        diagnostic = r.get("diagnostic")
        shown = f"{r.get('address')} {words}" + (f" — {diagnostic}" if diagnostic else "")
        facts.append((QCoreApplication.translate("SummaryWindow", "Recipient"), shown))
    out.append("<table cellspacing='2'>")
    for label, value in facts:
        if value:
            out.append(f"<tr><td><b>{e(label)}</b></td><td>{e(str(value))}</td></tr>")
    out.append("</table>")
    return "".join(out)
