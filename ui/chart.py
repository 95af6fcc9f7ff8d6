"""Counts per day as bars, painted by hand (QtCharts is not in PySide6-Essentials).

Readable without colour: the two series differ in fill (solid for bounces moved to quarantine,
hatched for real bounces), the legend inside the chart says which is which, every bar that is
not zero carries its number, and the left axis is scaled with ticks. The same counts are the
widget's accessible description, for a screen reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

QUARANTINED = QColor("#d9822b")
REAL = QColor("#2e8b57")


@dataclass(frozen=True, slots=True)
class Day:
    label: str  # "11-27"
    quarantined: int
    real: int


def nice_ticks(peak: int) -> list[int]:
    """Axis ticks from 0 to at least `peak`, on round steps (1, 2, 5 x 10^n), at most 5."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            s = step * factor
            if -(-max(peak, 1) // s) <= 4:
                top = -(-max(peak, 1) // s) * s
                return list(range(0, top + 1, s))
        step *= 10


class DayChart(QWidget):
    """Per day, a solid bar for bounces moved away and a hatched one for real bounces."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[Day] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Bounces per day"))
        self.setToolTip(
            self.tr("Per day: solid bars, bounces moved to quarantine; hatched bars, real bounces")
        )

    def sizeHint(self) -> QSize:
        return QSize(640, 170)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 150)

    def set_days(self, days: list[Day]) -> None:
        self.days = days
        parts = [
            self.tr("{day}: {q} moved to quarantine, {r} real").format(
                day=d.label, q=d.quarantined, r=d.real
            )
            for d in days
        ]
        self.setAccessibleDescription("; ".join(parts))
        self.update()

    def legend(self) -> list[tuple[str, Qt.BrushStyle, QColor]]:
        return [
            (self.tr("moved to quarantine"), Qt.BrushStyle.SolidPattern, QUARANTINED),
            (self.tr("real bounces (kept)"), Qt.BrushStyle.BDiagPattern, REAL),
        ]

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        text = self.palette().text().color()
        w, h = self.width(), self.height()
        line = fm.height()
        if not self.days:
            p.setPen(text)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No bounces yet"))
            return
        # Legend along the top: a swatch with its fill pattern and the words.
        x = 8.0
        p.setPen(text)
        p.drawText(QRectF(x, 0, w, line), Qt.AlignmentFlag.AlignLeft, self.tr("Per day:"))
        x += fm.horizontalAdvance(self.tr("Per day:")) + 10
        for words, style, colour in self.legend():
            swatch = QRectF(x, 2, 22, line - 4)
            _bar(p, swatch, style, colour, text)
            p.setPen(text)
            x = swatch.right() + 5
            p.drawText(QRectF(x, 0, w, line), Qt.AlignmentFlag.AlignLeft, words)
            x += fm.horizontalAdvance(words) + 18
        peak = max(max(d.quarantined, d.real) for d in self.days)
        ticks = nice_ticks(peak)
        axis_w = fm.horizontalAdvance(str(ticks[-1])) + 10
        plot = QRectF(axis_w + 4, line * 2 + 4, w - axis_w - 12, h - line * 3 - 10)
        top = ticks[-1] or 1
        grid = QColor(text)
        grid.setAlpha(60)
        for t in ticks:  # the axis: ticks with their numbers and faint grid lines
            y = plot.bottom() - plot.height() * t / top
            p.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - line / 2, axis_w, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(t),
            )
        p.setPen(QPen(text, 1))
        p.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        slot = plot.width() / len(self.days)
        bar = max(3.0, min(slot * 0.36, 28.0))
        legend = self.legend()
        for i, d in enumerate(self.days):
            x = plot.left() + i * slot + (slot - 2 * bar) / 2
            for j, n in enumerate((d.quarantined, d.real)):
                bh = plot.height() * n / top
                rect = QRectF(x + j * bar, plot.bottom() - bh, bar - 2, bh)
                if n:
                    _bar(p, rect, legend[j][1], legend[j][2], text)
                    p.setPen(text)
                    p.drawText(
                        QRectF(rect.center().x() - 20, rect.top() - line, 40, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        str(n),
                    )
            p.setPen(text)
            if len(self.days) <= 16 or i % 2 == 0:
                p.drawText(
                    QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, line),
                    Qt.AlignmentFlag.AlignHCenter,
                    d.label,
                )


def _bar(p: QPainter, rect: QRectF, style: Qt.BrushStyle, colour: QColor, edge: QColor) -> None:
    """A bar (or legend swatch): pale fill under the pattern, so a hatch reads in grey too."""
    if style is not Qt.BrushStyle.SolidPattern:
        pale = QColor(colour)
        pale.setAlpha(70)
        p.fillRect(rect, pale)
    p.fillRect(rect, QBrush(colour, style))
    p.setPen(QPen(edge, 1))
    p.drawRect(rect)
