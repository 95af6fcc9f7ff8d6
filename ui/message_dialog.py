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
        self.setWindowTitle(self.tr("Message {id} (text only)").format(id=view["id"]))
        self.resize(720, 560)
        layout = QVBoxLayout(self)
        head = "\n".join(f"{name}: {value}" for name, value in view["headers"])
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("The message, as plain text"))
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        cut = self.tr("[… cut: the message is longer]")
        body = view["text"] + (f"\n\n{cut}" if view["truncated"] else "")
        self.text.setPlainText(f"{head}\n\n{body}")
        note = self.tr("Shown as plain text: nothing in this message is rendered or opened.")
        if view.get("had_html"):
            note += " " + self.tr("Its HTML is shown as text, with no images or links loaded.")
        label = QLabel(note, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.text, 1)
        # Only made when there is something to list: a list widget never put in the layout
        # is still a child, drawn as an empty white box in the dialog's corner.
        self.attachments: QListWidget | None = None
        if view["attachments"]:
            self.attachments = QListWidget(self)
            self.attachments.setAccessibleName(self.tr("Attachments, not opened"))
            for a in view["attachments"]:
                line = self.tr("{name}  ({type}, {size} bytes)").format(
                    name=a["name"], type=a["type"], size=a["size"]
                )
                if a["executable"]:
                    line = "⚠ " + line + "  — " + self.tr("a program: never open it")
                self.attachments.addItem(line)
            layout.addWidget(QLabel(self.tr("Attachments (not opened):"), self))
            self.attachments.setMaximumHeight(90)
            layout.addWidget(self.attachments)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName(self.tr("Close the message"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
