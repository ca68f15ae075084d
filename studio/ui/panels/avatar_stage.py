"""The avatar stage: where the Live2D or PNGTuber avatar will be shown (central widget)."""

from __future__ import annotations

from studio.ui.panels.placeholder import PlaceholderPanel


class AvatarStagePanel(PlaceholderPanel):
    """Placeholder until the avatar feature hosts its renderer here. GUI thread."""

    def texts(self) -> tuple[str, str]:
        """Heading and description in the current language."""
        return (
            self.tr("Avatar stage"),
            self.tr(
                "Not available yet. Your Live2D or built-in avatar will appear here, "
                "with lip-sync and expressions."
            ),
        )
