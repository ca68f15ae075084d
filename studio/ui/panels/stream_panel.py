"""Stream: platform, stream key and going live."""

from __future__ import annotations

from studio.ui.panels.placeholder import PlaceholderPanel


class StreamPanel(PlaceholderPanel):
    """Placeholder until the Go-live feature arrives. GUI thread."""

    def texts(self) -> tuple[str, str]:
        """Heading and description in the current language."""
        return (
            self.tr("Stream"),
            self.tr(
                "Not available yet. Here you will choose a platform, go live and watch "
                "bitrate and dropped frames."
            ),
        )
