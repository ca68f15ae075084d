"""A small preview of the broadcast picture, shown while the Live2D model is lent to the broadcast.

The broadcast renders the avatar in its own headless GL context (live2d-py allows a model in only
one context at a time), so the on-screen views draw no Live2D model meanwhile. This label shows
the latest frame the broadcast's stage read back instead, a few times a second. GUI thread; it
only takes the newest frame out of the stage's one-frame queue (a thread-safe call).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

if TYPE_CHECKING:
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

PREVIEW_MS = 200  # 5 fps: enough to see the avatar move, nothing for the GUI thread


def latest_frame(feed: Any) -> Any:
    """The newest frame of the broadcast's video feed, or ``None`` (any thread).

    Uses the feed's ``latest_frame()`` (the runtime's ``StageFeed`` has one).
    """
    getter = getattr(feed, "latest_frame", None)
    return getter() if callable(getter) else None


class StreamPreview(QLabel):
    """The broadcast picture, scaled to the panel's width. GUI thread.

    Args:
        bridge: Where the runtime (and its broadcast feed) is found.
        parent: Qt parent.
    """

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("streamPreview")
        self.bridge = bridge
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(180)
        self.frames_shown = 0
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_MS)
        self._timer.timeout.connect(self.refresh)

    def start(self) -> None:
        """Show the preview and poll for frames."""
        self.frames_shown = 0
        self.setText(self.tr("The avatar is drawn by the broadcast now; its picture appears here."))
        self.setWordWrap(True)
        self.show()
        self._timer.start()

    def stop(self) -> None:
        """Hide the preview."""
        self._timer.stop()
        self.clear()
        self.hide()

    def refresh(self) -> bool:
        """Show the newest broadcast frame if there is one. True if the picture changed."""
        runtime = self.bridge.runtime
        feed = getattr(runtime, "broadcast_feed", None) if runtime is not None else None
        try:
            frame = latest_frame(feed)
        except Exception:  # a stage being torn down: try again on the next tick
            log.debug("no preview frame", exc_info=True)
            return False
        if frame is None:
            return False
        image = frame.image
        height, width = int(image.shape[0]), int(image.shape[1])
        qimage = QImage(
            image.data, width, height, width * 4, QImage.Format.Format_RGBA8888_Premultiplied
        ).copy()  # the array is not ours to keep
        target = QSize(max(1, self.width()), max(1, self.height()))
        self.setPixmap(
            QPixmap.fromImage(qimage).scaled(
                target, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.frames_shown += 1
        return True
