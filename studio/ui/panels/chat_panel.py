"""Chat and script: typed messages, live chat and prepared scripts for the avatar."""

from __future__ import annotations

from studio.ui.panels.placeholder import PlaceholderPanel


class ChatPanel(PlaceholderPanel):
    """Placeholder until the chat and script features arrive. GUI thread."""

    def texts(self) -> tuple[str, str]:
        """Heading and description in the current language."""
        return (
            self.tr("Chat / Script"),
            self.tr(
                "Not available yet. Here you will talk to the avatar, see live chat "
                "and turn a topic into a script."
            ),
        )
