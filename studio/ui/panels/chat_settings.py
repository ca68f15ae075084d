"""The chat model (provider preset, URL, model, key, connection test) and the character card forms.

The provider form saves ``[llm]`` to config.toml and the API key only to the secrets store;
"Test connection" tries what is typed (saved or not) through the session. The persona form edits
the card of ``[llm] persona`` in the database. Both are views; engine work goes through
:class:`~studio.ui.panels.chat_session.ChatSession`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.avatar.emotion import EMOTIONS
from studio.brain.providers import PRESETS
from studio.config.llm_settings import LLM_API_KEY_SECRET, LlmSettings
from studio.core.errors import ConfigError, StudioError

if TYPE_CHECKING:
    from studio.brain.persona import Persona
    from studio.config.secrets import SecretStore


class ProviderForm(QWidget):
    """Provider preset, base URL, model and API key; save and test. GUI thread.

    Args:
        settings: The ``[llm]`` settings shown first.
        secrets: Where the key is saved (never config.toml).

    Signals:
        save_requested(settings): Save was pressed with valid fields (the key is already stored).
        test_requested(settings, key): Test was pressed (``key`` = typed key, "" = the saved one).
    """

    save_requested = Signal(object)
    test_requested = Signal(object, str)

    def __init__(self, settings: LlmSettings, secrets: SecretStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secrets = secrets
        self._settings = settings
        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("providerCombo")
        for p in PRESETS.values():
            self.preset_combo.addItem(p.label, p.id)
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("baseUrlEdit")
        self.model_edit = QLineEdit(self)
        self.model_edit.setObjectName("modelEdit")
        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveProviderButton")
        self.test_button = QPushButton(self)
        self.test_button.setObjectName("testConnectionButton")
        self.result_label = QLabel(self)
        self.result_label.setObjectName("connectionResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._labels = [QLabel(self) for _ in range(4)]
        form = QFormLayout()
        for label, field in zip(
            self._labels, (self.preset_combo, self.url_edit, self.model_edit, self.key_edit), strict=True
        ):
            form.addRow(label, field)
            label.setBuddy(field)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        self.show_settings(settings)
        self.preset_combo.currentIndexChanged.connect(self._on_preset)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test)
        self.retranslate_ui()

    def show_settings(self, settings: LlmSettings) -> None:
        """Show ``settings`` (the key field stays empty: the saved key is never shown)."""
        self._settings = settings
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(settings.provider)))
        self.preset_combo.blockSignals(False)
        self.url_edit.setText(settings.base_url)
        self.model_edit.setText(settings.model)
        self._on_preset()

    def _on_preset(self) -> None:
        p = PRESETS[str(self.preset_combo.currentData())]
        self.url_edit.setPlaceholderText(p.base_url or "http://127.0.0.1:8000/v1")
        self.model_edit.setPlaceholderText(p.default_model or self.tr("the server's model"))
        self.key_edit.setEnabled(True)

    def settings(self) -> LlmSettings:
        """The form as ``[llm]`` settings (other fields kept).

        Raises:
            ConfigError: a field is invalid (e.g. a URL without http://).
        """
        url = self.url_edit.text().strip().rstrip("/")
        if url and not url.startswith(("http://", "https://")):
            raise ConfigError(
                self.tr("Check the base URL: it must start with http:// or https://."), key="llm.base_url"
            )
        # model_copy, not validation: environment overrides must not replace what was typed.
        return self._settings.model_copy(
            update={
                "provider": str(self.preset_combo.currentData()),
                "base_url": url,
                "model": self.model_edit.text().strip(),
            }
        )

    def save(self) -> None:
        """Store a typed key in the secrets store and ask the panel to save ``[llm]``."""
        try:
            settings = self.settings()
        except ConfigError as exc:
            self.result_label.setText(exc.user_message)
            return
        key = self.key_edit.text().strip()
        if key:
            try:
                self.secrets.set(LLM_API_KEY_SECRET, key)
            except StudioError as exc:
                self.result_label.setText(exc.user_message)
                return
            self.key_edit.clear()
        self.result_label.setText(self.tr("Saved."))
        self.save_requested.emit(settings)

    def test(self) -> None:
        """Ask for a connection test of what is typed."""
        try:
            settings = self.settings()
        except ConfigError as exc:
            self.result_label.setText(exc.user_message)
            return
        self.test_button.setEnabled(False)
        self.result_label.setText(self.tr("Testing the connection…"))
        self.test_requested.emit(settings, self.key_edit.text().strip())

    def show_result(self, ok: bool, text: str) -> None:
        """Show a connection test's result."""
        self.test_button.setEnabled(True)
        prefix = self.tr("Connection works.") if ok else self.tr("Connection failed:")
        self.result_label.setText(f"{prefix} {text}")
        self.result_label.setProperty("ok", ok)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        for label, text in zip(
            self._labels,
            (self.tr("&Provider"), self.tr("Base &URL"), self.tr("&Model"), self.tr("API &key")),
            strict=True,
        ):
            label.setText(text)
        self.key_edit.setPlaceholderText(self.tr("Saved in the secrets store; leave empty to keep it."))
        self.save_button.setText(self.tr("Save"))
        self.test_button.setText(self.tr("Test connection"))
        self._on_preset()


class PersonaForm(QWidget):
    """The character card: name, system prompt, speaking style, allowed emotions. GUI thread.

    Signals:
        save_requested(persona): Save was pressed (the card is validated by the store).
        reset_requested(): Reset to the default card.
    """

    save_requested = Signal(object)
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._persona: Persona | None = None
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("personaName")
        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setObjectName("personaPrompt")
        self.style_edit = QPlainTextEdit(self)
        self.style_edit.setObjectName("personaStyle")
        self.style_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.emotion_boxes = {e: QCheckBox(e, self) for e in EMOTIONS}
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("savePersonaButton")
        self.reset_button = QPushButton(self)
        self.reset_button.setObjectName("resetPersonaButton")
        emotions = QHBoxLayout()
        for box in self.emotion_boxes.values():
            emotions.addWidget(box)
        emotions.addStretch(1)
        self._labels = [QLabel(self) for _ in range(4)]
        form = QFormLayout()
        for label, field in zip(
            self._labels, (self.name_edit, self.prompt_edit, self.style_edit), strict=False
        ):
            form.addRow(label, field)
            label.setBuddy(field)
        form.addRow(self._labels[3], emotions)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset_requested.emit)
        self.setEnabled(False)  # until the card is loaded
        self.retranslate_ui()

    def show_persona(self, persona: Persona) -> None:
        """Show ``persona`` for editing."""
        self._persona = persona
        self.name_edit.setText(persona.name)
        self.prompt_edit.setPlainText(persona.system_prompt)
        self.style_edit.setPlainText(persona.speaking_style)
        for emotion, box in self.emotion_boxes.items():
            box.setChecked(emotion in persona.emotions)
        self.setEnabled(True)

    def persona(self) -> Persona | None:
        """The edited card (``None`` before one was loaded)."""
        if self._persona is None:
            return None
        return replace(
            self._persona,
            name=self.name_edit.text(),
            system_prompt=self.prompt_edit.toPlainText(),
            speaking_style=self.style_edit.toPlainText(),
            emotions=tuple(e for e, box in self.emotion_boxes.items() if box.isChecked()),
        )

    def save(self) -> None:
        """Ask for the edited card to be saved."""
        persona = self.persona()
        if persona is not None:
            self.save_requested.emit(persona)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        for label, text in zip(
            self._labels,
            (self.tr("&Name"), self.tr("System &prompt"), self.tr("Speaking &style"), self.tr("Emotions")),
            strict=True,
        ):
            label.setText(text)
        self.save_button.setText(self.tr("Save character"))
        self.reset_button.setText(self.tr("Reset to default"))
        self.reset_button.setToolTip(self.tr("Restore the default character card."))
