"""Voice → Models: imported GPT-SoVITS weights and VoxCPM models; import, use, remove.

GPT-SoVITS voices are listed in StreamCream's groups (``GPT_weights<suffix>`` paired with
``SoVITS_weights<suffix>``); until the studio runs GPT-SoVITS itself they speak through the
GPT-SoVITS server of ``[tts] gpt_sovits_url``, and the page says whether one is set. VoxCPM runs
on this computer; *Use* saves ``[tts] voxcpm_model``. Imports copy files in a worker thread of the
engine with a progress bar. Engine work goes through
:class:`~studio.ui.panels.voice_library_session.VoiceLibrarySession`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.panels.voice_library_session import ModelsSnapshot, save_area
from studio.ui.widgets.confirm import ask_yes_no

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.bridge import EngineBridge
    from studio.ui.panels.voice_library_session import VoiceLibrarySession

KEY_ROLE = Qt.ItemDataRole.UserRole


class VoiceModelsPage(QScrollArea):
    """The Models tab. GUI thread.

    Args:
        container: Config and its store (``[tts] voxcpm_model``, ``gpt_sovits_url``).
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
        self.setObjectName("voiceModelsPage")
        self.container = container
        self.bridge = bridge
        self.library = library
        self._job = ("", "")

        self.gpt_title = self._title()
        self.server_note = self._note("gptSovitsServerNote")
        self.gpt_tree = self._tree("gptSovitsTree", 4)
        self.import_gpt_button = self._button("importGptSovitsButton")
        self.remove_pair_button = self._button("removeGptSovitsButton")
        self.voxcpm_title = self._title()
        self.voxcpm_note = self._note("voxcpmNote")
        self.voxcpm_tree = self._tree("voxcpmTree", 4)
        self.voxcpm_tree.setRootIsDecorated(False)
        self.import_voxcpm_button = self._button("importVoxcpmButton")
        self.use_button = self._button("useVoxcpmButton")
        self.stop_using_button = self._button("stopVoxcpmButton")
        self.remove_voxcpm_button = self._button("removeVoxcpmButton")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("voiceImportProgress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = self._note("voiceModelsStatus")

        content = QWidget(self)  # in a scroll area: a small dock scrolls instead of growing the window
        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.gpt_title)
        layout.addWidget(self.server_note)
        layout.addWidget(self.gpt_tree, 1)
        layout.addLayout(self._row(self.import_gpt_button, self.remove_pair_button))
        layout.addWidget(self.voxcpm_title)
        layout.addWidget(self.voxcpm_note)
        layout.addWidget(self.voxcpm_tree, 1)
        layout.addLayout(
            self._row(
                self.import_voxcpm_button, self.use_button, self.stop_using_button, self.remove_voxcpm_button
            )
        )
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(content)

        self.import_gpt_button.clicked.connect(self._ask_gpt_sovits_folder)
        self.import_voxcpm_button.clicked.connect(self._ask_voxcpm_folder)
        self.remove_pair_button.clicked.connect(self._ask_remove_pair)
        self.use_button.clicked.connect(lambda: self.use_voxcpm(self.selected_voxcpm() or ""))
        self.stop_using_button.clicked.connect(lambda: self.use_voxcpm(""))
        self.remove_voxcpm_button.clicked.connect(self._ask_remove_voxcpm)
        self.gpt_tree.itemSelectionChanged.connect(self._update_buttons)
        self.voxcpm_tree.itemSelectionChanged.connect(self._update_buttons)
        library.models_changed.connect(self._show)
        library.model_job.connect(self._on_job)
        library.progress.connect(lambda fraction: self.progress.setValue(round(fraction * 1000)))
        library.unavailable.connect(lambda message: self._on_job("failed", message))
        library.busy_changed.connect(self._update_buttons)
        bridge.config_changed.connect(self._on_config_changed)
        self.retranslate_ui()

    def _title(self) -> QLabel:
        label = QLabel(self)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        return label

    def _note(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _tree(self, name: str, columns: int) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setObjectName(name)
        tree.setColumnCount(columns)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tree.header().setStretchLastSection(True)
        return tree

    def _button(self, name: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        return button

    @staticmethod
    def _row(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        return row

    # ---- values ----

    def selected_pair(self) -> str | None:
        """The base name of the selected GPT-SoVITS pair (a group row is not a pair)."""
        items = self.gpt_tree.selectedItems()
        key = items[0].data(0, KEY_ROLE) if items else None
        return str(key) if key else None

    def selected_voxcpm(self) -> str | None:
        """The name of the selected VoxCPM model."""
        items = self.voxcpm_tree.selectedItems()
        return str(items[0].data(0, KEY_ROLE)) if items else None

    # ---- actions ----

    def _ask_gpt_sovits_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose a GPT-SoVITS folder (with GPT_weights… and SoVITS_weights…)")
        )
        if folder:
            self.library.import_gpt_sovits(Path(folder))

    def _ask_voxcpm_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a VoxCPM model folder"))
        if folder:
            self.library.import_voxcpm(Path(folder))

    def use_voxcpm(self, name: str) -> None:
        """Save ``[tts] voxcpm_model`` (``""`` = VoxCPM off); the engine loads it on first use."""
        tts = self.container.config.tts
        if tts.voxcpm_model != name:
            save_area(self.container, self.bridge, tts.model_copy(update={"voxcpm_model": name}))

    def _ask_remove_pair(self) -> None:
        base = self.selected_pair()
        if base is not None:
            ask_yes_no(
                self,
                "confirmRemoveGptSovits",
                self.tr("Remove GPT-SoVITS voice"),
                self.tr("Remove the GPT-SoVITS weights of {name} (GPT and SoVITS files)?").format(name=base),
                lambda: self.library.remove_gpt_sovits_pair(base),
            )

    def _ask_remove_voxcpm(self) -> None:
        name = self.selected_voxcpm()
        if name is None:
            return
        text = self.tr("Remove the VoxCPM model {name} and its files?").format(name=name)
        if self.container.config.tts.voxcpm_model == name:
            text += " " + self.tr("It is in use: VoxCPM will be switched off.")

        def remove() -> None:
            if self.container.config.tts.voxcpm_model == name:
                self.use_voxcpm("")
            self.library.remove_voxcpm(name)

        ask_yes_no(self, "confirmRemoveVoxcpm", self.tr("Remove VoxCPM model"), text, remove)

    # ---- view ----

    def _show(self, snapshot: ModelsSnapshot | None = None) -> None:
        snapshot = snapshot if snapshot is not None else self.library.models
        if snapshot is None:
            self._render_notes()
            return
        pair, model = self.selected_pair(), self.selected_voxcpm()
        self.gpt_tree.clear()
        references: dict[str, list[str]] = {}
        for pair_name, file_name, _path in snapshot.references:
            references.setdefault(pair_name, []).append(file_name)
        for group in snapshot.groups:
            suffix = str(getattr(group, "suffix", "")).lstrip("_")
            label = self.tr("{suffix} models").format(suffix=suffix) if suffix else self.tr("Default models")
            top = QTreeWidgetItem(self.gpt_tree, [label])
            top.setToolTip(0, group.name)
            for base, weights in sorted(group.pairs.items()):
                refs = ", ".join(references.get(base, [])) or self.tr("(shared 参考音频.wav)")
                item = QTreeWidgetItem(top, [base, weights.gpt_path, weights.sovits_path, refs])
                item.setData(0, KEY_ROLE, base)
                if base == pair:
                    item.setSelected(True)
            top.setExpanded(True)
        self.voxcpm_tree.clear()
        for info in snapshot.voxcpm:
            row = [
                info.name,
                info.architecture,
                f"{info.size_mb:.0f} MB",
                self._voxcpm_state(info.name, snapshot),
            ]
            item = QTreeWidgetItem(self.voxcpm_tree, row)
            item.setData(0, KEY_ROLE, info.name)
            item.setToolTip(0, str(info.folder))
            if info.name == model:
                item.setSelected(True)
        self._render_notes()
        self._update_buttons()

    def _voxcpm_state(self, name: str, snapshot: ModelsSnapshot) -> str:
        if self.container.config.tts.voxcpm_model != name:
            return ""
        status: dict[str, Any] = snapshot.status
        if status.get("model") == name and status.get("loaded"):
            return self.tr("In use, loaded on {device}").format(device=status.get("device") or "?")
        return self.tr("In use (loads when it first speaks)")

    def _render_notes(self) -> None:
        tts = self.container.config.tts
        snapshot = self.library.models
        server = snapshot.server if snapshot is not None else (tts.gpt_sovits_url or None)
        if server:
            self.server_note.setText(
                self.tr("These voices run through the GPT-SoVITS server at {url}.").format(url=server)
            )
        else:
            self.server_note.setText(
                self.tr(
                    "No GPT-SoVITS server configured: set one in Settings → Voice; "
                    "until then the studio's own voice answers."
                )
            )
        status: dict[str, Any] = snapshot.status if snapshot is not None else {}
        if tts.voxcpm_model and status.get("model") == tts.voxcpm_model and status.get("loaded"):
            self.voxcpm_note.setText(
                self.tr("VoxCPM runs on this computer: {name} is loaded on {device}.").format(
                    name=tts.voxcpm_model, device=status.get("device") or "?"
                )
            )
        elif tts.voxcpm_model:
            self.voxcpm_note.setText(
                self.tr(
                    "VoxCPM runs on this computer ({device}) with {name}; it loads when it first speaks."
                ).format(device=tts.voxcpm_device, name=tts.voxcpm_model)
            )
        else:
            self.voxcpm_note.setText(self.tr("VoxCPM runs on this computer; no model is in use."))

    def _on_job(self, state: str, detail: str) -> None:
        self._job = (state, detail)
        self.progress.setVisible(state == "importing")
        if state == "importing":
            self.progress.setValue(0)
        self._render_status()
        self._update_buttons()

    def _render_status(self) -> None:
        state, detail = self._job
        kinds = {"gpt_sovits": self.tr("GPT-SoVITS weights"), "voxcpm": self.tr("VoxCPM model")}
        texts = {
            "importing": self.tr("Importing the {what}…").format(what=kinds.get(detail, detail)),
            "imported": self.tr("Imported {what}.").format(what=detail),
            "removed": self.tr("Removed {what}.").format(what=detail),
            "failed": self.tr("Failed: {why}").format(why=detail),
        }
        self.status.setText(texts.get(state, ""))

    def _update_buttons(self) -> None:
        busy = self.library.model_busy
        model = self.selected_voxcpm()
        in_use = self.container.config.tts.voxcpm_model
        self.import_gpt_button.setEnabled(not busy)
        self.import_voxcpm_button.setEnabled(not busy)
        self.remove_pair_button.setEnabled(not busy and self.selected_pair() is not None)
        self.use_button.setEnabled(model is not None and model != in_use)
        self.stop_using_button.setEnabled(bool(in_use))
        self.remove_voxcpm_button.setEnabled(not busy and model is not None)

    def _on_config_changed(self, area: str) -> None:
        if area == "tts":
            self._show()

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.gpt_title.setText(self.tr("GPT-SoVITS voices"))
        self.voxcpm_title.setText(self.tr("VoxCPM models"))
        self.gpt_tree.setHeaderLabels(
            [self.tr("Voice"), self.tr("GPT weights"), self.tr("SoVITS weights"), self.tr("Reference audio")]
        )
        self.voxcpm_tree.setHeaderLabels(
            [self.tr("Name"), self.tr("Kind"), self.tr("Size"), self.tr("State")]
        )
        self.import_gpt_button.setText(self.tr("Import GPT-SoVITS folder…"))
        self.import_gpt_button.setToolTip(
            self.tr("A folder with GPT_weights…/*.ckpt, SoVITS_weights…/*.pth and optionally 参考音频/.")
        )
        self.remove_pair_button.setText(self.tr("Remove"))
        self.import_voxcpm_button.setText(self.tr("Import VoxCPM model…"))
        self.use_button.setText(self.tr("Use"))
        self.use_button.setToolTip(self.tr("Speak with this VoxCPM model (voice id voxcpm:<name>)."))
        self.stop_using_button.setText(self.tr("Stop using VoxCPM"))
        self.remove_voxcpm_button.setText(self.tr("Remove"))
        self._show()
        self._render_status()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.library.models is not None:  # VoxCPM may have loaded meanwhile
            self.library.refresh_models()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
