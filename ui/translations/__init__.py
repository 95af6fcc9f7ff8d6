"""The tray app's translations: ndrguard_LANG.qm files beside this module, loaded at start.

Which language: NDRGUARD_LANG when set (to try a translation without changing the session),
else the POSIX order LC_ALL, LC_MESSAGES, LANG, else what Qt says the system's locale is
(Windows and macOS have no LANG). "C" and "POSIX" mean untranslated English. Qt's own
strings (the buttons of standard dialogs) come from Qt's qtbase_LANG.qm where PySide6 ships
one. The .ts sources and the compiled .qm are made by scripts/translations.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

HERE = Path(__file__).resolve().parent
DOMAIN = "ndrguard"


def wanted_locale(env: Mapping[str, str] | None = None) -> QLocale:
    env = os.environ if env is None else env
    for var in ("NDRGUARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if value:
            code = value.split(".", 1)[0].split("@", 1)[0]
            if code in ("C", "POSIX"):
                return QLocale("en_US")
            return QLocale(code)
    return QLocale.system()


def install_translator(
    app: QCoreApplication, env: Mapping[str, str] | None = None
) -> list[QTranslator]:
    """Load the translation for the wanted locale into `app`: the translators installed
    (none for English, or a language without a translation: the source text is shown).
    They are parented to `app`, so they live as long as it does."""
    locale = wanted_locale(env)
    ours = QTranslator(app)
    if not ours.load(locale, DOMAIN, "_", str(HERE)):
        ours.deleteLater()
        return []
    app.installTranslator(ours)
    installed = [ours]
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt)
        installed.append(qt)
    else:
        qt.deleteLater()
    return installed
