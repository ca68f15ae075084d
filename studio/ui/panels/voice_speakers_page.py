"""Voice → Speakers: reference recordings that cloning voices imitate, and the clone-speaker picker.

A speaker is added from a file or recorded from the microphone; the library trims and normalises
it and fills in the transcript with the packaged Whisper model. Name and transcript are edited in
place (saved at once). Engine work goes through
:class:`~studio.ui.panels.voice_library_session.VoiceLibrarySession`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.panels.voice_library_session import save_area
from studio.ui.widgets.confirm import ask_yes_no
from studio.ui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.speech.library.speakers import Speaker
    from studio.ui.bridge import EngineBridge
    from studio.ui.panels.voice_library_session import VoiceLibrarySession

ID_ROLE = Qt.ItemDataRole.UserRole
NAME, DURATION, LANGUAGE, TRANSCRIPT = range(4)
METER_INTERVAL_MS = 50


class CloneSpeakerCombo(QComboBox):
    """The speaker cloning voices imitate; saves ``[tts] clone_speaker`` when changed. GUI thread.

    Args:
        container: Config and its store.
        bridge: For the error path and the settings event.
        library: Supplies the speaker list.
        parent: Qt parent.
    """

    def __init__(
        self, container: Container, bridge: EngineBridge, library: VoiceLibrarySession, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cloneSpeakerCombo")
        self.container = container
        self.bridge = bridge
        self._speakers: list[Speaker] = []
        self._loaded = False
        self._fill(container.config.tts.clone_speaker)
        self._retranslate()
        library.speakers_changed.connect(self.set_speakers)
        self.currentIndexChanged.connect(self._save)
        bridge.config_changed.connect(self._on_config_changed)

    def speaker_id(self) -> str:
        """The chosen speaker id; ``""`` = none (each voice's own timbre)."""
        return str(self.currentData(ID_ROLE) or "")

    def set_speakers(self, speakers: list[Speaker]) -> None:
        """List these speakers (keeps the selection; emits no change signal)."""
        self._speakers, self._loaded = list(speakers), True
        self._fill()

    def _fill(self, wanted: str | None = None) -> None:
        wanted = self.speaker_id() if wanted is None else wanted
        self.blockSignals(True)
        self.clear()
        self.addItem(self.tr("None (each voice's own timbre)"), "")
        for speaker in self._speakers:
            self.addItem(speaker.name, speaker.id)
            self.setItemData(self.count() - 1, speaker.transcript, Qt.ItemDataRole.ToolTipRole)
        index = self.findData(wanted, ID_ROLE) if wanted else 0
        if index < 0:
            label = self.tr("{speaker} (not found)") if self._loaded else "{speaker}"
            self.addItem(label.format(speaker=wanted), wanted)
            index = self.count() - 1
        self.setCurrentIndex(index)
        self.blockSignals(False)

    def _save(self) -> None:
        tts = self.container.config.tts
        if tts.clone_speaker != self.speaker_id():
            save_area(
                self.container, self.bridge, tts.model_copy(update={"clone_speaker": self.speaker_id()})
            )

    def _on_config_changed(self, area: str) -> None:
        if area == "tts" and self.container.config.tts.clone_speaker != self.speaker_id():
            self._fill(self.container.config.tts.clone_speaker)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self._fill()
        self.setToolTip(
            self.tr("Voices that clone (VoxCPM) imitate this speaker. Add speakers on the Speakers tab.")
        )


class VoiceSpeakersPage(QScrollArea):
    """The Speakers tab. GUI thread.

    Args:
        container: Config and its store (the clone speaker setting).
        bridge: The GUI's only link to the engine.
        library: The voice library session shared with the other Voice tabs.
        parent: Qt parent.
    """

    def __init__(
        self,
        container: Container,
        bridge: EngineBridge,
        library: VoiceLibrarySession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("voiceSpeakersPage")
        self.container = container
        self.bridge = bridge
        self.library = library
        self._mic_state = ("checking", "")
        self._job = ("", "")

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("speakerNameEdit")
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("addSpeakerButton")
        self.record_button = QPushButton(self)
        self.record_button.setObjectName("recordSpeakerButton")
        self.meter = LevelMeter(self)
        self.meter.setObjectName("recordLevel")
        self.elapsed = QLabel(self)
        self.meter.hide()  # both shown while recording
        self.elapsed.hide()
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("speakersTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TRANSCRIPT, QHeaderView.ResizeMode.Stretch)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("removeSpeakerButton")
        self.status = QLabel(self)
        self.status.setObjectName("speakersStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        add_row = QHBoxLayout()
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        add_row.addWidget(self.record_button)
        record_row = QHBoxLayout()
        record_row.addWidget(self.meter, 1)
        record_row.addWidget(self.elapsed)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        content = QWidget(self)  # in a scroll area: a small dock scrolls instead of growing the window
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(add_row)
        layout.addLayout(record_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(remove_row)
        layout.addWidget(self.status)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(content)

        self._meter_timer = QTimer(self, interval=METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self._tick_meter)
        self.add_button.clicked.connect(self._ask_file)
        self.record_button.clicked.connect(self._toggle_recording)
        self.remove_button.clicked.connect(self._ask_remove)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        library.speakers_changed.connect(self._show_speakers)
        library.speaker_job.connect(self._on_job)
        library.microphone.connect(self._on_microphone)
        library.unavailable.connect(self._on_unavailable)
        library.busy_changed.connect(self._update_buttons)
        self.retranslate_ui()

    # ---- values ----

    def selected_id(self) -> str | None:
        """The id of the selected speaker, if any."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), NAME)
        return str(item.data(ID_ROLE)) if item is not None else None

    def row_of(self, speaker_id: str) -> int:
        """The table row showing ``speaker_id`` (-1 if none)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, NAME)
            if item is not None and item.data(ID_ROLE) == speaker_id:
                return row
        return -1

    # ---- actions ----

    def _ask_file(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Choose a reference recording"),
            "",
            self.tr("Audio files (*.wav *.flac *.ogg *.mp3)"),
        )
        if file:
            self.add_file(Path(file))

    def add_file(self, path: Path) -> None:
        """Register ``path`` as a speaker named after the name box (else the file name)."""
        self.library.add_speaker(self.name_edit.text().strip() or path.stem, path)

    def _toggle_recording(self) -> None:
        if self.library.recorder is not None:
            self.library.stop_recording()
            return
        self.library.start_recording(self.name_edit.text().strip() or self.tr("Recording"))

    def _ask_remove(self) -> None:
        speaker_id = self.selected_id()
        if speaker_id is None:
            return
        name = next((s.name for s in self.library.speakers if s.id == speaker_id), speaker_id)
        ask_yes_no(
            self,
            "confirmRemoveSpeaker",
            self.tr("Remove speaker"),
            self.tr("Remove the speaker {name} and its recording?").format(name=name),
            lambda: self._remove(speaker_id),
        )

    def _remove(self, speaker_id: str) -> None:
        self.library.remove_speaker(speaker_id)
        tts = self.container.config.tts
        if tts.clone_speaker == speaker_id:  # cloning voices fall back to their own timbre
            save_area(self.container, self.bridge, tts.model_copy(update={"clone_speaker": ""}))

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        name_item = self.table.item(item.row(), NAME)
        if name_item is None or item.column() not in (NAME, LANGUAGE, TRANSCRIPT):
            return
        speaker_id = str(name_item.data(ID_ROLE))
        old = next((s for s in self.library.speakers if s.id == speaker_id), None)
        text = item.text().strip().replace("–", "")
        if old is None or (not text and item.column() == NAME):
            return
        key = {NAME: "name", LANGUAGE: "language"}.get(item.column(), "transcript")
        if getattr(old, key) != text:
            self.library.update_speaker(speaker_id, **{key: text})

    # ---- view ----

    def _show_speakers(self, speakers: list[Speaker]) -> None:
        selected = self.selected_id()
        self.table.blockSignals(True)
        self.table.setRowCount(len(speakers))
        for row, speaker in enumerate(speakers):
            cells = (
                speaker.name,
                self.tr("{seconds} s").format(seconds=f"{speaker.duration_s:.1f}"),
                speaker.language or "–",
                speaker.transcript,
            )
            items = [QTableWidgetItem(text) for text in cells]
            items[DURATION].setFlags(items[DURATION].flags() & ~Qt.ItemFlag.ItemIsEditable)
            items[NAME].setData(ID_ROLE, speaker.id)
            items[NAME].setToolTip(self.tr("Id: {id}\nFile: {file}").format(id=speaker.id, file=speaker.file))
            items[TRANSCRIPT].setToolTip(speaker.transcript)
            for column, item in enumerate(items):
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        if selected is not None and self.row_of(selected) >= 0:
            self.table.selectRow(self.row_of(selected))
        self._update_buttons()

    def _on_job(self, state: str, detail: str) -> None:
        self._job = (state, detail)
        recording = state == "recording"
        self.meter.setVisible(recording)
        self.elapsed.setVisible(recording)
        if recording:
            self._meter_timer.start()
        elif self._meter_timer.isActive():
            self._meter_timer.stop()
            self.meter.reset()
            self.elapsed.clear()
        if state in ("added", "added-note"):
            self.name_edit.clear()
        elif state == "failed":  # a refused edit: show the stored values again
            self._show_speakers(self.library.speakers)
        self._render_status()
        self._update_buttons()

    def _on_microphone(self, state: str, detail: str) -> None:
        self._mic_state = (state, detail)
        self._update_buttons()

    def _on_unavailable(self, message: str) -> None:
        self._job = ("failed", message)
        self._render_status()

    def _tick_meter(self) -> None:
        recorder = self.library.recorder
        if recorder is not None:
            self.meter.set_levels(recorder.level, recorder.level)
            self.elapsed.setText(
                self.tr("{seconds} / {limit} s").format(
                    seconds=f"{recorder.elapsed:.1f}", limit=round(recorder.max_s)
                )
            )

    def _update_buttons(self) -> None:
        busy = self.library.speaker_busy
        recording = self.library.recorder is not None
        self.add_button.setEnabled(not busy)
        self.remove_button.setEnabled(self.selected_id() is not None)
        state, detail = self._mic_state
        self.record_button.setEnabled(state == "ok" and (recording or not busy))
        self.record_button.setText(
            self.tr("Stop and save") if recording else self.tr("Record from microphone")
        )
        why = {
            "ok": self.tr("Record a reference with {device} (up to 30 s; click again to stop).").format(
                device=detail
            ),
            "checking": self.tr("Looking for a microphone…"),
            "no-engine": self.tr("The engine is not running."),
            "none": self.tr("No microphone found: connect one (Settings → Audio chooses it)."),
            "not-found": self.tr("The microphone {device} is not connected.").format(device=detail),
            "no-portaudio": self.tr("The sound system (PortAudio) is not available: {detail}").format(
                detail=detail
            ),
        }
        self.record_button.setToolTip(why.get(state, detail))

    def _render_status(self) -> None:
        state, detail = self._job
        texts = {
            "adding": self.tr("Adding {name}: trimming, normalising and transcribing…"),
            "recording": self.tr("Recording {name}… speak now, then click Stop and save."),
            "added": self.tr("Added {name}. Check the transcript: double-click it to correct it."),
            "added-note": self.tr("Added. {name}"),
            "updated": self.tr("Saved {name}."),
            "removed": self.tr("Removed."),
            "failed": self.tr("Failed: {name}"),
        }
        self.status.setText(texts[state].format(name=detail) if state in texts else "")

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.name_edit.setPlaceholderText(self.tr("Name of the new speaker (default: the file name)"))
        self.add_button.setText(self.tr("Add from file…"))
        self.add_button.setToolTip(
            self.tr("A clean recording of one voice, 3-10 s is best (WAV, FLAC, OGG or MP3).")
        )
        self.remove_button.setText(self.tr("Remove"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Name"), self.tr("Length"), self.tr("Language"), self.tr("Transcript")]
        )
        self.meter.setToolTip(self.tr("Microphone level while recording."))
        self._update_buttons()
        self._render_status()
        if self.library.speakers:
            self._show_speakers(self.library.speakers)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
