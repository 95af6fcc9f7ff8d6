"""Counts per day as small bars, painted by hand (QtCharts is not in PySide6-Essentials)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUARANTINED = QColor("#d9822b")
REAL = QColor("#2e8b57")


@dataclass(frozen=True, slots=True)
class Day:
    label: str  # "11-27"
    quarantined: int
    real: int


class DayChart(QWidget):
    """Per day, an orange bar for bounces moved away and a green one for real bounces."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[Day] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Per day: orange, bounces moved to quarantine; green, real bounces")

    def sizeHint(self) -> QSize:
        return QSize(420, 110)

    def set_days(self, days: list[Day]) -> None:
        self.days = days
        self.setAccessibleDescription(
            ", ".join(f"{d.label}: {d.quarantined} quarantined, {d.real} real" for d in days)
        )
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        label_h = p.fontMetrics().height() + 2
        top_h = label_h
        plot = QRectF(4, top_h, w - 8, h - top_h - label_h - 2)
        if not self.days:
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No bounces yet")
            return
        peak = max(max(d.quarantined, d.real) for d in self.days) or 1
        slot = plot.width() / len(self.days)
        bar = max(2.0, slot * 0.35)
        text = self.palette().text().color()
        for i, d in enumerate(self.days):
            x = plot.left() + i * slot + (slot - 2 * bar) / 2
            for j, (n, colour) in enumerate(((d.quarantined, QUARANTINED), (d.real, REAL))):
                bh = plot.height() * n / peak
                p.fillRect(QRectF(x + j * bar, plot.bottom() - bh, bar - 1, bh), colour)
            p.setPen(text)
            if len(self.days) <= 16 or i % 2 == 0:
                p.drawText(
                    QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, label_h),
                    Qt.AlignmentFlag.AlignHCenter,
                    d.label,
                )
        p.setPen(text)
        p.drawText(
            QRectF(4, 0, w - 8, top_h), Qt.AlignmentFlag.AlignRight, f"most in a day: {peak}"
        )
