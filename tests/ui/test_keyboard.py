"""Keyboard and screen-reader use of the tray menu and the settings window.

Stands for: a user who works without a mouse (Alt+letter to a field, Ctrl+S to save) or with
a screen reader (every field, list and result says what it is).
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QLineEdit, QListWidget


def test_every_settings_field_has_a_label_buddy_and_an_accessible_name(qtbot, service, make_tray):
    app = make_tray(service.endpoint)
    app.start()
    app.open_settings()
    s = app.settings
    assert s is not None
    fields = [w for kind in (QLineEdit, QComboBox, QAbstractSpinBox, QListWidget)
              for w in s.findChildren(kind)
              if w.parent() is not None and not isinstance(w.parent(), QAbstractSpinBox)
              and not isinstance(w.parent(), QComboBox)]  # fmt: skip
    assert len(fields) >= 20
    unnamed = [w.objectName() or type(w).__name__ for w in fields if not w.accessibleName()]
    assert not unnamed, unnamed
    buddies = {label.buddy() for label in s.findChildren(QLabel) if label.buddy() is not None}
    no_label = [w.accessibleName() for w in fields
                if w not in buddies and not isinstance(w, QListWidget)]  # fmt: skip
    assert not no_label, no_label
    keys = {sc.key().toString() for sc in s.findChildren(QShortcut)}
    for wanted in (QKeySequence.StandardKey.Save, QKeySequence.StandardKey.New,
                   QKeySequence.StandardKey.Close):  # fmt: skip
        assert QKeySequence(wanted).toString() in keys, (wanted, keys)
    assert "Ctrl+T" in keys
    # The shortcut does what the button does: Ctrl+S saves (here: nothing to save is refused
    # with the service's words, which is the save having been sent).
    save = next(sc for sc in s.findChildren(QShortcut)
                if sc.key() == QKeySequence(QKeySequence.StandardKey.Save))  # fmt: skip
    qtbot.waitUntil(s.save_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(s.saved, timeout=10_000):
        save.activated.emit()


def test_menu_entries_have_distinct_mnemonics(qtbot, service, make_tray):
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.tray.snapshot is not None, timeout=10_000)
    visible = [a.text() for a in app.tray.menu.actions()
               if a.isVisible() and not a.isSeparator() and a is not app.tray.status_action
               and a is not app.tray.review_action]  # fmt: skip
    letters = []
    for text in visible:
        assert "&" in text, f"no mnemonic: {text}"
        letters.append(text[text.index("&") + 1].lower())
    assert len(letters) == len(set(letters)), visible
    assert app.tray.menu.accessibleName() == "ndrguard menu"


def test_the_status_line_opens_the_place_to_act(qtbot, service, make_tray):
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.tray.snapshot is not None, timeout=10_000)
    signins: list[str] = []
    app.tray.start_signin = signins.append
    base = dict(app.tray.snapshot)
    account = dict(base["accounts"][0])
    if app.summary is not None:
        app.summary.hide()
    app.tray.status_action.trigger()  # watching: the summary
    assert app.summary is not None and app.summary.isVisible()
    app.tray._on_snapshot({**base, "accounts": [{**account, "state": "signin-needed"}]})
    app.tray.status_action.trigger()  # a grant gone: its sign-in
    assert signins == [account["account"]]
    assert app.settings is None
    app.tray._on_snapshot({**base, "accounts": [{**account, "state": "cert-rejected"}]})
    app.tray.status_action.trigger()  # another fault the user must fix: Settings
    assert app.settings is not None and app.settings.isVisible()
