"""A quarantined message, shown as text only.

Backscatter is spam by definition. Nothing in it is rendered: the text goes into a plain-text
view (no HTML, so no remote images, no tracking pixels, no links that act), and attachments
are listed by name and type, never opened, with executable types flagged.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class MessageDialog(QDialog):
    def __init__(self, view: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Message {view['id']} (text only)")
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        head = "\n".join(f"{name}: {value}" for name, value in view["headers"])
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        body = view["text"] + ("\n\n[… cut: the message is longer]" if view["truncated"] else "")
        self.text.setPlainText(f"{head}\n\n{body}")
        note = "Shown as plain text: nothing in this message is rendered or opened."
        if view.get("had_html"):
            note += " Its HTML is shown as text, with no images or links loaded."
        layout.addWidget(QLabel(note, self))
        layout.addWidget(self.text, 1)
        self.attachments = QListWidget(self)
        for a in view["attachments"]:
            line = f"{a['name']}  ({a['type']}, {a['size']} bytes)"
            if a["executable"]:
                line = "⚠ " + line + "  — a program: never open it"
            self.attachments.addItem(line)
        if view["attachments"]:
            layout.addWidget(QLabel("Attachments (not opened):", self))
            self.attachments.setMaximumHeight(90)
            layout.addWidget(self.attachments)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
