"""Voice: speech synthesis voices, microphone and speech recognition."""

from __future__ import annotations

from studio.ui.panels.placeholder import PlaceholderPanel


class VoicePanel(PlaceholderPanel):
    """Placeholder until the voice features arrive. GUI thread."""

    def texts(self) -> tuple[str, str]:
        """Heading and description in the current language."""
        return (
            self.tr("Voice"),
            self.tr("Not available yet. Here you will pick the avatar's voice and your microphone."),
        )
