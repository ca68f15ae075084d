"""Chat and script: talk to the avatar, set its character and chat model, write and read scripts.

Tabs: *Chat* (conversation view with live partial transcripts, typed input, Stop, microphone mode
with a push-to-talk button and level meter), *Script* (:mod:`~studio.ui.panels.script_panel`),
*Character* and *Chat model* (:mod:`~studio.ui.panels.chat_settings`). Engine work goes through
:class:`~studio.ui.panels.chat_session.ChatSession`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.config.settings import AreaSettings, LlmSettings
from studio.core.errors import ConfigError
from studio.core.events import ConfigChangedEvent
from studio.ui.panels.chat_session import ChatSession
from studio.ui.panels.chat_settings import PersonaForm, ProviderForm
from studio.ui.panels.chat_view import ChatView
from studio.ui.panels.script_panel import ScriptPanel
from studio.ui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.storage.history_repo import MessageRow
    from studio.ui.bridge import EngineBridge

METER_INTERVAL_MS = 50
MIC_MODES = ("off", "hands_free", "push_to_talk")


class ChatPanel(QWidget):
    """The Chat / Script dock. GUI thread.

    Args:
        container: Config, its store, secrets and the bus.
        bridge: The GUI's only link to the engine.
        parent: Qt parent.
    """

    def __init__(self, container: Container, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatPanel")
        self.container = container
        self.bridge = bridge
        self.session = ChatSession(bridge, container.secrets, self)

        self.view = ChatView(self)
        self.view.setObjectName("chatView")
        self.input = QLineEdit(self)
        self.input.setObjectName("chatInput")
        self.send_button = QPushButton(self)
        self.send_button.setObjectName("sendButton")
        self.stop_button = QPushButton(self)
        self.stop_button.setObjectName("chatStopButton")
        self.mic_label = QLabel(self)
        self.mic_combo = QComboBox(self)
        self.mic_combo.setObjectName("micModeCombo")
        for mode in MIC_MODES:
            self.mic_combo.addItem("", mode)
        self.mic_label.setBuddy(self.mic_combo)
        self.talk_button = QPushButton(self)
        self.talk_button.setObjectName("pushToTalkButton")
        self.meter = LevelMeter(self)
        self.meter.setObjectName("micLevel")
        self.mic_status = QLabel(self)
        self.mic_status.setObjectName("micStatus")
        self.mic_status.setWordWrap(True)

        chat = QWidget(self)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        row.addWidget(self.stop_button)
        mic = QHBoxLayout()
        mic.addWidget(self.mic_label)
        mic.addWidget(self.mic_combo)
        mic.addWidget(self.talk_button)
        mic.addWidget(self.meter, 1)
        layout = QVBoxLayout(chat)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addLayout(mic)
        layout.addWidget(self.mic_status)

        self.provider_form = ProviderForm(container.config.llm, container.secrets, self)
        self.persona_form = PersonaForm(self)
        self.script_panel = ScriptPanel(container, bridge, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("chatTabs")
        for page in (chat, self.script_panel, self.persona_form, self.provider_form):
            self.tabs.addTab(page, "")
        scroll = QScrollArea(self)  # a small dock scrolls instead of forcing the window larger
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.tabs)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._meter_timer = QTimer(self, interval=METER_INTERVAL_MS)
        self._meter_timer.timeout.connect(self._tick_meter)
        self.input.returnPressed.connect(self.send)
        self.send_button.clicked.connect(self.send)
        self.stop_button.clicked.connect(self.session.interrupt)
        self.mic_combo.currentIndexChanged.connect(self._on_mic_mode)
        self.talk_button.pressed.connect(lambda: self.session.push_to_talk(True))
        self.talk_button.released.connect(lambda: self.session.push_to_talk(False))
        self.session.opened.connect(self._on_opened)
        self.session.turn.connect(self.view.on_turn)
        self.session.transcript.connect(self._on_transcript)
        self.session.persona_loaded.connect(self._on_persona)
        self.session.connection_tested.connect(self.provider_form.show_result)
        self.session.busy_changed.connect(self._update_buttons)
        self.provider_form.save_requested.connect(self._save_llm)
        self.provider_form.test_requested.connect(self.session.test_connection)
        self.persona_form.save_requested.connect(self.session.save_persona)
        self.persona_form.reset_requested.connect(lambda: self.session.save_persona(None))
        bridge.config_changed.connect(self._on_config_changed)
        self._show_mic_mode()
        self._open_pending = True
        self.retranslate_ui()

    # ---- chat ---------------------------------------------------------------------------------

    def send(self) -> None:
        """Send the typed message (Send button, Enter)."""
        text = self.input.text().strip()
        if not text:
            return
        self.input.clear()
        self.session.send(text)

    def _on_opened(self, rows: list[MessageRow]) -> None:
        self.view.set_history(rows)
        service = self.session.service
        if service is not None:
            self.view.assistant_name = service.persona.name
            self.persona_form.show_persona(service.persona)

    def _on_persona(self, persona: Any) -> None:
        self.view.assistant_name = persona.name
        self.persona_form.show_persona(persona)

    def _on_transcript(self, event: Any) -> None:
        if event.final:
            self.view.clear_partial()
        elif event.text:
            self.view.show_partial(event.text)

    def _update_buttons(self) -> None:
        self.stop_button.setEnabled(self.session.busy)

    # ---- settings -----------------------------------------------------------------------------

    def _save_llm(self, settings: LlmSettings) -> None:
        self._save_area(settings)
        self.session.restart()  # the next message uses the new provider

    def _save_area(self, area: AreaSettings) -> None:
        c = self.container
        try:
            c.config = c.config_store.save_area(c.config, area)
        except ConfigError as exc:
            c.config = c.config.model_copy(update={area.area: area})
            self.bridge.report_error("settings", exc.user_message)
        c.bus.publish_threadsafe(ConfigChangedEvent(area=area.area))

    def _on_config_changed(self, area: str) -> None:
        if area == "llm":
            self.provider_form.show_settings(self.container.config.llm)
        elif area == "listen":
            self._show_mic_mode()

    # ---- microphone ---------------------------------------------------------------------------

    def mic_mode(self) -> str:
        """The chosen microphone mode (``off``, ``hands_free``, ``push_to_talk``)."""
        return str(self.mic_combo.currentData())

    def _show_mic_mode(self) -> None:
        mode = self.container.config.listen.mode
        self.mic_combo.blockSignals(True)
        self.mic_combo.setCurrentIndex(max(0, self.mic_combo.findData(mode)))
        self.mic_combo.blockSignals(False)
        self.talk_button.setVisible(mode == "push_to_talk")

    def _on_mic_mode(self) -> None:
        mode = self.mic_mode()
        self.talk_button.setVisible(mode == "push_to_talk")
        listen = self.container.config.listen
        if listen.mode != mode:
            # The engine's listening service follows the saved [listen] area (ConfigChangedEvent).
            self._save_area(listen.model_copy(update={"mode": mode}))
        self._render_mic_status()

    def _tick_meter(self) -> None:
        level = self.session.mic_level()
        if level is None:
            self.meter.reset()
        else:
            self.meter.set_levels(level, level)
        self._render_mic_status(level is not None)

    def _render_mic_status(self, listening: bool | None = None) -> None:
        if listening is None:
            listening = self.session.mic_level() is not None
        if self.mic_mode() == "off":
            text = self.tr("The microphone is off.")
        elif not listening:
            text = self.tr("The microphone is not listening yet.")
        else:
            text = ""
        self.mic_status.setText(text)
        self.mic_status.setVisible(bool(text))

    # ---- visibility, language -----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._meter_timer.start()
        if self._open_pending:
            self._open_pending = False
            QTimer.singleShot(0, self, self._auto_open)

    def hideEvent(self, event: Any) -> None:
        self._meter_timer.stop()
        self.meter.reset()
        super().hideEvent(event)

    def _auto_open(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no qasync loop (some tests): open on the first message instead
            return
        if self.bridge.engine_running:
            self.session.load_persona(self.container.config.llm.persona)
            self.session.open()

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        for index, text in enumerate((self.tr("Chat"), self.tr("Script"), self.tr("Character"),
                                      self.tr("Chat model"))):  # fmt: skip
            self.tabs.setTabText(index, text)
        self.input.setPlaceholderText(self.tr("Type a message and press Enter."))
        self.send_button.setText(self.tr("Send"))
        self.stop_button.setText(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop the reply at once."))
        self.mic_label.setText(self.tr("&Microphone"))
        for index, text in enumerate((self.tr("Off"), self.tr("Hands-free"), self.tr("Push to talk"))):
            self.mic_combo.setItemText(index, text)
        self.talk_button.setText(self.tr("Hold to talk"))
        self.meter.setToolTip(self.tr("Microphone level (echo removed)."))
        self.provider_form.retranslate_ui()
        self.persona_form.retranslate_ui()
        self.script_panel.retranslate_ui()
        self._update_buttons()
        self._render_mic_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
