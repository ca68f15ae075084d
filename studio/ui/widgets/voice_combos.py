"""Combo boxes of the Voice panel: the voice catalogue grouped by language, and output devices.

Both keep their selection across refills and language changes, and keep a saved choice that is
not (or not yet) in the list as a marked entry instead of silently dropping it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:
    from studio.audio.devices import DeviceInfo
    from studio.speech.tts.base import VoiceInfo

ID_ROLE = Qt.ItemDataRole.UserRole
_TIP = Qt.ItemDataRole.ToolTipRole
_LANGUAGES = ("zh", "en", "ja")


class VoiceCombo(QComboBox):
    """ "Automatic (by language)" (id ``""``), then the voices under a heading per language. GUI thread.

    Each voice's tooltip carries its id and licence note; the closed combo shows the chosen one's.

    Args:
        initial: The voice id to select (kept, marked, if it is not in the catalogue).
        parent: Qt parent.
    """

    def __init__(self, initial: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._voices: list[VoiceInfo] = []
        self.currentIndexChanged.connect(self._show_tip)
        self._fill(initial)

    def voice_id(self) -> str:
        """The chosen voice id; ``""`` = automatic (the default voice of each language)."""
        return str(self.currentData(ID_ROLE) or "")

    def voice_ids(self) -> list[str]:
        """Ids of the listed catalogue voices."""
        return [v.id for v in self._voices]

    def set_voices(self, voices: list[VoiceInfo]) -> None:
        """Show this catalogue (keeps the selection; emits no change signal)."""
        self._voices = list(voices)
        self._fill()

    def select(self, voice_id: str) -> None:
        """Select ``voice_id`` without emitting a change signal."""
        self._fill(voice_id)

    def _fill(self, wanted: str | None = None) -> None:
        wanted = self.voice_id() if wanted is None else wanted
        self.blockSignals(True)
        self.clear()
        self.addItem(self.tr("Automatic (by language)"), "")
        self.setItemData(0, self.tr("The default voice of each language in the text."), _TIP)
        names = {"zh": self.tr("Chinese"), "en": self.tr("English"), "ja": self.tr("Japanese")}
        order = {lang: i for i, lang in enumerate(_LANGUAGES)}
        groups: dict[str, list[VoiceInfo]] = {}
        for voice in self._voices:
            groups.setdefault(voice.languages[0] if voice.languages else "", []).append(voice)
        for lang in sorted(groups, key=lambda code: (order.get(code, len(order)), code)):
            self.insertSeparator(self.count())
            self._add_heading(names.get(lang, lang or self.tr("Other")))
            for voice in groups[lang]:
                self.addItem(voice.display_name, voice.id)
                tip = self.tr("{name}\nVoice id: {id}\nLicence: {licence}").format(
                    name=voice.display_name, id=voice.id, licence=voice.licence or self.tr("not stated")
                )
                if not voice.offline:
                    tip += "\n" + self.tr("Needs a network service.")
                self.setItemData(self.count() - 1, tip, _TIP)
        index = self.findData(wanted, ID_ROLE) if wanted else 0
        if index < 0:  # a saved voice the catalogue lacks (or the catalogue is not loaded yet)
            label = self.tr("{voice} (not available)") if self._voices else "{voice}"
            self.addItem(label.format(voice=wanted), wanted)
            index = self.count() - 1
        self.setCurrentIndex(index)
        self._show_tip(index)
        self.blockSignals(False)

    def _add_heading(self, text: str) -> None:
        self.addItem(text)
        model = self.model()
        if isinstance(model, QStandardItemModel):
            item = model.item(self.count() - 1)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            font = item.font()
            font.setBold(True)
            item.setFont(font)

    def _show_tip(self, index: int) -> None:
        self.setToolTip(str(self.itemData(index, _TIP) or ""))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._fill()
        super().changeEvent(event)


class DeviceCombo(QComboBox):
    """ "System default" (``""``), then every output device by name. GUI thread.

    Args:
        initial: The device name to select (kept, marked, if it is not connected).
        parent: Qt parent.
    """

    def __init__(self, initial: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._devices: list[DeviceInfo] = []
        self._fill(initial)

    def device(self) -> str:
        """The chosen device name; ``""`` = the system default."""
        return str(self.currentData(ID_ROLE) or "")

    def set_devices(self, devices: list[DeviceInfo]) -> None:
        """List these devices (keeps the selection; emits no change signal)."""
        self._devices = list(devices)
        self._fill()

    def select(self, device: str) -> None:
        """Select ``device`` without emitting a change signal."""
        self._fill(device)

    def _fill(self, wanted: str | None = None) -> None:
        wanted = self.device() if wanted is None else wanted
        self.blockSignals(True)
        self.clear()
        self.addItem(self.tr("System default"), "")
        for dev in self._devices:
            self.addItem(dev.label + (self.tr(" (default)") if dev.is_default else ""), dev.name)
        index = self.findData(wanted, ID_ROLE)
        if index < 0:
            self.addItem(self.tr("{device} (not connected)").format(device=wanted), wanted)
            index = self.count() - 1
        self.setCurrentIndex(index)
        self.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._fill()
        super().changeEvent(event)
