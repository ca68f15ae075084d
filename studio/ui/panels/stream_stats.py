"""The Stream panel's live numbers, named like OBS names them: fps, bitrate, dropped/skipped/missed.

GUI thread. :meth:`StreamStatsView.show_stats` takes a :class:`StreamStats` snapshot and the
per-output states from the bus; the view only formats.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from studio.broadcast.stats import OutputStats, StreamStats

_ROWS = (
    "outputs",
    "fps",
    "bitrate",
    "dropped",
    "skipped",
    "missed",
    "congestion",
    "duration",
    "sent",
    "drift",
)


def format_duration(seconds: float) -> str:
    """``h:mm:ss``."""
    total = max(0, int(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def format_bytes(n: int) -> str:
    """Bytes in B, KB, MB or GB (powers of 1024, one decimal above KB)."""
    size = float(n)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole > 0 else "0.0%"


class StreamStatsView(QWidget):
    """A form of the live numbers. GUI thread.

    Attributes:
        values: The value label of each row (``fps``, ``bitrate``, ``dropped`` ...), for tests.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("streamStats")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self._labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in _ROWS:
            label = QLabel(self)
            value = QLabel(self)
            value.setObjectName(f"streamStat.{key}")
            value.setWordWrap(key == "outputs")
            form.addRow(label, value)
            self._labels[key] = label
            self.values[key] = value
        self._stats = StreamStats()
        self._states: dict[str, tuple[str, str]] = {}
        self.retranslate_ui()

    def show_stats(self, stats: StreamStats, states: dict[str, tuple[str, str]]) -> None:
        """Show ``stats`` and the outputs' bus ``states`` (``{output: (state, detail)}``)."""
        self._stats = stats
        self._states = dict(states)
        self._render()

    def state_name(self, state: str) -> str:
        """An output state in the current language."""
        names = {
            "idle": self.tr("Idle"),
            "offline": self.tr("Offline"),
            "stopped": self.tr("Stopped"),
            "connecting": self.tr("Connecting"),
            "live": self.tr("Live"),
            "reconnecting": self.tr("Reconnecting"),
            "failed": self.tr("Failed"),
        }
        return names.get(state, state)

    def _output_line(self, out: OutputStats) -> str:
        state = out.state
        if out.kind == "file":
            name = self.tr("Recording")
            shown = self.tr("Recording") if state == "live" else self.state_name(state)
        else:
            name = self.tr("Stream") if out.name == "main" else out.name
            shown = self.state_name(state)
            if state == "reconnecting":
                shown = self.tr("Reconnecting… ({seconds:.0f} s offline)").format(seconds=out.outage_s)
        line = f"{name}: {shown} — {out.target}"
        if out.last_error and state in ("reconnecting", "failed"):
            line += "\n  " + out.last_error
        return line

    def _render(self) -> None:
        stats = self._stats
        enc = stats.encoder
        lines = [self._output_line(out) for out in stats.outputs]
        shown = {out.name for out in stats.outputs}
        for name, (state, detail) in sorted(self._states.items()):
            if name not in shown and state in ("connecting", "reconnecting", "failed"):
                label = self.tr("Stream") if name == "main" else name
                lines.append(f"{label}: {self.state_name(state)}" + (f" — {detail}" if detail else ""))
        v = self.values
        v["outputs"].setText("\n".join(lines) if lines else self.tr("Nothing is running."))
        v["fps"].setText(f"{enc.fps:.1f} / {enc.fps_target:g}" if enc.running else "—")
        v["bitrate"].setText(self.tr("{kbps:.0f} kb/s").format(kbps=self._bitrate(stats)))
        frames = enc.frames_encoded
        v["dropped"].setText(f"{stats.dropped_frames} ({_percent(stats.dropped_frames, frames)})")
        v["skipped"].setText(f"{enc.skipped_frames} ({_percent(enc.skipped_frames, frames)})")
        v["missed"].setText(f"{enc.missed_frames} ({_percent(enc.missed_frames, frames)})")
        v["congestion"].setText(f"{round(stats.congestion * 100)}%")
        v["duration"].setText(format_duration(stats.duration_s))
        v["sent"].setText(format_bytes(self._sent(stats)))
        v["drift"].setText(self.tr("{ms:.0f} ms").format(ms=enc.av_drift_ms))

    @staticmethod
    def _bitrate(stats: StreamStats) -> float:
        rtmp = [o.bitrate_kbps for o in stats.outputs if o.kind == "rtmp"]
        return max(rtmp) if rtmp else stats.encoder.bitrate_kbps

    @staticmethod
    def _sent(stats: StreamStats) -> int:
        if any(o.kind == "rtmp" for o in stats.outputs):
            return stats.bytes_sent
        return sum(o.bytes_sent for o in stats.outputs)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        texts = {
            "outputs": self.tr("Outputs"),
            "fps": self.tr("FPS"),
            "bitrate": self.tr("Bitrate"),
            "dropped": self.tr("Dropped (network)"),
            "skipped": self.tr("Skipped (encoder)"),
            "missed": self.tr("Missed (render)"),
            "congestion": self.tr("Congestion"),
            "duration": self.tr("Duration"),
            "sent": self.tr("Data sent"),
            "drift": self.tr("A/V drift"),
        }
        for key, label in self._labels.items():
            label.setText(texts[key])
        tips = {
            "dropped": self.tr("Frames the network could not carry (congestion or a lost connection)."),
            "skipped": self.tr("Frames thrown away because the encoder fell behind (CPU too slow)."),
            "missed": self.tr("Frame slots the avatar renderer delivered nothing for (render lag)."),
            "congestion": self.tr("How full the send queue is; at 100% frames are dropped."),
            "drift": self.tr(
                "Largest offset between sound and picture so far; at most half a frame is normal."
            ),
        }
        for key, tip in tips.items():
            self._labels[key].setToolTip(tip)
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
