"""The tray app speaks the user's language: German shipped, chosen by LANG or NDRGUARD_LANG.

Stands for: a user whose session runs with LANG=de_DE.UTF-8 opens the tray menu and reads
German; and for the rule that makes that possible at all, every user-visible string of ui/
passed to Qt's translation functions as a static literal (lupdate cannot see anything else),
with the shipped .qm compiled from the shipped .ts.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

import ndrguard
import ndrguard.service
from ndrguard.errors import NdrguardError
from ndrguard.ui import errors
from ndrguard.ui.translations import HERE, install_translator, wanted_locale

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"


@pytest.fixture
def german(monkeypatch: pytest.MonkeyPatch, qapp) -> Iterator[list[QTranslator]]:
    for var in ("NDRGUARD_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    installed = install_translator(qapp)
    yield installed
    for t in installed:
        QCoreApplication.removeTranslator(t)


def test_with_lang_de_the_tray_menu_is_german(qtbot, service, make_tray, german):
    assert german and german[0].filePath().endswith("ndrguard_de.qm")
    app = make_tray(service.endpoint)
    app.start()
    texts = [a.text() for a in app.tray.menu.actions()]
    assert "&Zusammenfassung öffnen…" in texts, texts
    assert "&Einstellungen…" in texts and "&Beenden" in texts
    assert "Eine &Stunde pausieren" in texts
    # What the service says is put in German too (the status line, made as it comes).
    qtbot.waitUntil(lambda: app.tray.status_action.text().startswith("Überwacht"), timeout=10_000)
    assert app.tray.status_action.text() == "Überwacht 1 von 1 Konto"
    app.open_settings()
    assert app.settings is not None
    assert app.settings.windowTitle() == "ndrguard — Einstellungen"
    assert app.settings.save_button.text() == "&Speichern"
    app.open_summary()
    assert app.summary is not None and app.summary.windowTitle() == "ndrguard — Bounces"


def test_with_lang_de_the_reason_the_service_is_gone_is_german(qtbot, service, make_tray, german):
    """The link words why it lost the service on its own thread; that reason is German too."""
    app = make_tray(service.endpoint)
    app.start()
    qtbot.waitUntil(lambda: app.link.is_connected, timeout=10_000)
    service.kill()
    gone = "Nicht mit dem ndrguard-Dienst verbunden (der Dienst wurde beendet)"
    qtbot.waitUntil(lambda: app.tray.status_action.text() == gone, timeout=10_000)


def _error_classes() -> Iterator[type[NdrguardError]]:
    for package in (ndrguard, ndrguard.service):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    todo = [NdrguardError]
    while todo:
        cls = todo.pop()
        yield cls
        todo += cls.__subclasses__()


def test_every_error_title_the_service_can_send_is_german(german):
    """Each error class's title ("Connection lost", "Login failed") reaches the tray (a test
    result, a refused action, the link's reason) and is shown in German, the message after it
    as the service wrote it."""
    classes = list(_error_classes())
    assert len(classes) > 20  # the walk found the service's errors, not only the base
    untranslated = sorted({c.title for c in classes if errors.title(c.title) == c.title})
    assert not untranslated, f"error titles missing from ui/errors.py or the .ts: {untranslated}"
    assert errors.words("Connection lost: imap.example.org closed the connection") == (
        "Verbindung verloren: imap.example.org closed the connection"
    )
    assert errors.words("Sign in again") == "Erneut anmelden"
    assert errors.words("no title here: words") == "no title here: words"


def test_the_language_comes_from_ndrguard_lang_then_the_posix_variables():
    assert wanted_locale({"NDRGUARD_LANG": "de", "LANG": "fr_FR.UTF-8"}).name() == "de_DE"
    assert wanted_locale({"LC_ALL": "de_AT.UTF-8", "LANG": "en_GB.UTF-8"}).name() == "de_AT"
    assert wanted_locale({"LC_MESSAGES": "de_CH@euro", "LANG": "C"}).name() == "de_CH"
    assert wanted_locale({"LANG": "C.UTF-8"}).name() == "en_US"


def test_english_and_unknown_languages_load_no_translation(qapp):
    assert install_translator(qapp, {"LANG": "C"}) == []
    assert install_translator(qapp, {"LANG": "xx_XX.UTF-8"}) == []


def _tr_calls(tree: ast.AST) -> Iterator[tuple[int, ast.expr | None]]:
    """(line, the source-text argument) of each self.tr(...) / translate(ctx, ...) call."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else (f.id if isinstance(f, ast.Name) else "")
        if name == "tr" and isinstance(f, ast.Attribute):
            yield node.lineno, node.args[0] if node.args else None
        elif name == "translate" and not (isinstance(f, ast.Attribute)
                                          and isinstance(f.value, ast.Name)
                                          and f.value.id == "self"):  # fmt: skip
            yield node.lineno, node.args[1] if len(node.args) > 1 else None


def test_every_translated_string_is_a_static_literal():
    bad = []
    for path in sorted(UI.rglob("*.py")):
        for line, arg in _tr_calls(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                bad.append(f"{path.relative_to(ROOT)}:{line}")
    assert not bad, f"tr()/translate() with a non-literal text (lupdate cannot see it): {bad}"


def test_the_shipped_qm_says_what_the_shipped_ts_says(qapp):
    """The .qm is compiled from the .ts as it is now (scripts/translations was run after the
    last translation): each entry of the .ts, looked up in the .qm, gives its translation.
    Compared by meaning, not bytes, so another lrelease version cannot make it fail."""
    shipped = QTranslator()
    assert shipped.load(str(HERE / "ndrguard_de.qm"))
    stale = []
    for context in ET.parse(HERE / "ndrguard_de.ts").getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            wanted = message.findtext("translation", "")
            if wanted and shipped.translate(name, source) != wanted:
                stale.append((name, source))
    assert not stale, f"ndrguard_de.qm is stale (run scripts/translations): {stale[:5]}"


def test_no_translation_of_ours_is_left_unfinished():
    text = (HERE / "ndrguard_de.ts").read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text, "untranslated strings: translate them in the .ts"
