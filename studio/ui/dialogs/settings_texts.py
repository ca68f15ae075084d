"""Translatable texts of the settings dialog: area titles, field labels, tooltips, choice names.

The settings models (``studio.config.settings``) are Qt-free and English; the dialog shows them
through these tables so ``lupdate`` can collect every string. Anything missing here falls back to
the model: the area's ``title``, the field name, the field's ``description``.

A tooltip is translated only while its English text still equals the model's ``description``: if
the model's text changes, the new English text is shown until the translation is updated, never a
stale translation.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from studio.config.settings import AreaSettings


class SettingsTexts(QObject):
    """Looks up translated texts for settings areas and fields. GUI thread."""

    def area_title(self, cls: type[AreaSettings]) -> str:
        """The tab title of an area."""
        titles = {
            "api": self.tr("API"),
            "ui": self.tr("Interface"),
            "audio": self.tr("Audio"),
            "storage": self.tr("Storage"),
            "logging": self.tr("Logging"),
        }
        return titles.get(cls.area, cls.title or cls.area)

    def label(self, area: str, name: str) -> str:
        """The form label of field ``area.name``."""
        labels = {
            ("api", "enabled"): self.tr("Serve the local API"),
            ("api", "host"): self.tr("Host"),
            ("api", "port"): self.tr("Port"),
            ("api", "legacy_ports"): self.tr("Also serve on original ports"),
            ("api", "allow_loopback_origins"): self.tr("Allow pages from this computer"),
            ("api", "allowed_origins"): self.tr("Other allowed web origins"),
            ("api", "max_body_mb"): self.tr("Largest request (MiB)"),
            ("ui", "language"): self.tr("Language"),
            ("ui", "theme"): self.tr("Theme"),
            ("ui", "confirm_on_quit_while_live"): self.tr("Ask before quitting while live"),
            ("audio", "output_device"): self.tr("Speaker"),
            ("audio", "input_device"): self.tr("Microphone"),
            ("storage", "synchronous"): self.tr("Database safety"),
            ("logging", "level"): self.tr("Log level"),
            ("logging", "max_file_mb"): self.tr("Rotate log at (MiB)"),
            ("logging", "keep_files"): self.tr("Old log files kept"),
        }
        return labels.get((area, name), name.replace("_", " ").capitalize())

    def tooltip(self, area: str, name: str, description: str | None) -> str:
        """The tooltip of field ``area.name``, given the model's English ``description``."""
        known = {
            ("api", "enabled"): (
                "Serve the local API while the studio runs.",
                self.tr("Serve the local API while the studio runs."),
            ),
            ("api", "host"): (
                "Interface to listen on. Anything but loopback exposes the studio to the network.",
                self.tr("Interface to listen on. Anything but loopback exposes the studio to the network."),
            ),
            ("api", "port"): ("Main API port.", self.tr("Main API port.")),
            ("api", "legacy_ports"): (
                "Also serve compatible APIs on their original ports (9880, 7861, 12393 ...).",
                self.tr("Also serve compatible APIs on their original ports (9880, 7861, 12393 ...)."),
            ),
            ("api", "allow_loopback_origins"): (
                "Let web pages served from this computer (any port) call the API.",
                self.tr("Let web pages served from this computer (any port) call the API."),
            ),
            ("api", "allowed_origins"): (
                "Other web origins allowed to call the API from a browser (CORS), e.g. https://example.com.",
                self.tr(
                    "Other web origins allowed to call the API from a browser (CORS), "
                    "e.g. https://example.com. One per line."
                ),
            ),
            ("api", "max_body_mb"): (
                "Largest request body accepted, in MiB.",
                self.tr("Largest request body accepted, in MiB."),
            ),
            ("ui", "language"): ("Interface language.", self.tr("Interface language.")),
            ("ui", "theme"): ("Light or dark colours.", self.tr("Light or dark colours.")),
            ("ui", "confirm_on_quit_while_live"): (
                "Ask before quitting while streaming.",
                self.tr("Ask before quitting while streaming."),
            ),
            ("audio", "output_device"): (
                "Speaker device name; empty for the system default.",
                self.tr("Speaker device name; empty for the system default."),
            ),
            ("audio", "input_device"): (
                "Microphone device name; empty for the system default.",
                self.tr("Microphone device name; empty for the system default."),
            ),
            ("storage", "synchronous"): (
                "FULL survives power loss; NORMAL is faster and survives a crash of the app.",
                self.tr("FULL survives power loss; NORMAL is faster and survives a crash of the app."),
            ),
            ("logging", "level"): (
                "Least important messages written to the log.",
                self.tr("Least important messages written to the log."),
            ),
            ("logging", "max_file_mb"): (
                "Size at which the log file rotates, in MiB.",
                self.tr("Size at which the log file rotates, in MiB."),
            ),
            ("logging", "keep_files"): ("Old log files kept.", self.tr("Old log files kept.")),
        }
        source, translated = known.get((area, name), ("", ""))
        if description and source == description:
            return translated
        return description or ""

    def choice(self, area: str, name: str, value: object) -> str:
        """The display name of choice ``value`` of field ``area.name``."""
        if (area, name) == ("ui", "language"):
            names = {
                "system": self.tr("System default"),
                "zh_CN": "简体中文",
                "en": "English",
                "ja": "日本語",
            }
        elif (area, name) == ("ui", "theme"):
            names = {
                "system": self.tr("Follow the system"),
                "light": self.tr("Light"),
                "dark": self.tr("Dark"),
            }
        elif (area, name) == ("storage", "synchronous"):
            names = {"FULL": self.tr("Full (safest)"), "NORMAL": self.tr("Normal (faster)")}
        elif (area, name) == ("logging", "level"):
            names = {
                "DEBUG": self.tr("Debug"),
                "INFO": self.tr("Info"),
                "WARNING": self.tr("Warning"),
                "ERROR": self.tr("Error"),
            }
        else:
            names = {}
        return names.get(str(value), str(value))

    def validation_message(self, label: str, key: str, message: str) -> str:
        """The sentence shown when a value is rejected."""
        return self.tr("{label} ({key}): {message}").format(label=label, key=key, message=message)
