"""A horizontal audio level meter: RMS bar, peak bar and a peak-hold tick, on a dB scale.

Readings rise at once and fall smoothly (a fixed number of dB per second), as on a mixing desk,
so a 20 Hz feed of single-block readings looks steady rather than flickering.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

FLOOR_DB = -60.0
FALL_DB_PER_S = 24.0
HOLD_S = 1.0


def to_fraction(linear: float) -> float:
    """A linear level (0..1) as a position on the meter (0 = :data:`FLOOR_DB`, 1 = 0 dBFS)."""
    if linear <= 0.0:
        return 0.0
    db = 20.0 * math.log10(linear)
    return min(1.0, max(0.0, (db - FLOOR_DB) / -FLOOR_DB))


class LevelMeter(QWidget):
    """Shows the speaker level. GUI thread; feed it with :meth:`set_levels`.

    Args:
        parent: Qt parent.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._rms = 0.0
        self._peak = 0.0
        self._hold = 0.0
        self._hold_until = 0.0
        self._last = time.monotonic()

    @property
    def rms(self) -> float:
        """The RMS position shown now (0..1 of the bar)."""
        return self._rms

    @property
    def peak(self) -> float:
        """The peak position shown now (0..1 of the bar)."""
        return self._peak

    def set_levels(self, peak: float, rms: float) -> None:
        """Show new readings (linear 0..1): rise at once, fall by :data:`FALL_DB_PER_S`."""
        now = time.monotonic()
        fall = FALL_DB_PER_S * min(0.5, now - self._last) / -FLOOR_DB
        self._last = now
        new_peak, new_rms = to_fraction(peak), to_fraction(rms)
        self._peak = max(new_peak, self._peak - fall)
        self._rms = max(new_rms, self._rms - fall)
        if self._peak >= self._hold or now > self._hold_until:
            self._hold = self._peak
            self._hold_until = now + HOLD_S
        self.update()

    def reset(self) -> None:
        """Fall silent at once."""
        self._rms = self._peak = self._hold = 0.0
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(160, 12)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        palette = self.palette()
        groove = palette.color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(border)
        painter.setBrush(groove)
        painter.drawRoundedRect(rect, 3, 3)
        inner = rect.adjusted(1.5, 1.5, -1.5, -1.5)
        gradient = QLinearGradient(inner.topLeft(), inner.topRight())
        gradient.setColorAt(0.0, QColor("#3fae5a"))
        gradient.setColorAt(0.7, QColor("#3fae5a"))  # -18 dBFS
        gradient.setColorAt(0.85, QColor("#e0b030"))  # -9 dBFS
        gradient.setColorAt(1.0, QColor("#d9503c"))
        painter.setPen(Qt.PenStyle.NoPen)
        if self._peak > 0.0:
            painter.setOpacity(0.35)
            painter.setBrush(gradient)
            painter.drawRect(QRectF(inner.left(), inner.top(), inner.width() * self._peak, inner.height()))
        if self._rms > 0.0:
            painter.setOpacity(1.0)
            painter.setBrush(gradient)
            painter.drawRect(QRectF(inner.left(), inner.top(), inner.width() * self._rms, inner.height()))
        if self._hold > 0.0:
            painter.setOpacity(1.0)
            x = inner.left() + inner.width() * self._hold
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawLine(int(x), int(inner.top()), int(x), int(inner.bottom()))
        painter.end()
