"""Stream: pick a platform, enter server and key, go live and/or record, watch the numbers.

The view of the broadcast. Engine work goes through
:class:`~studio.ui.panels.stream_session.StreamSession`; settings are saved to ``[stream]`` through
the config store (like the settings dialog); the stream key goes to the secrets store only, off
the GUI thread. Errors take the one path (:meth:`EngineBridge.report_error`) and are repeated
under the buttons.

Live2D: live2d-py holds a model in one GL context at a time, and the broadcast renders in its own
headless context. So while anything runs with a Live2D avatar the on-screen views hand the model
over (:meth:`AvatarScene.lend_live2d`) and this panel shows a preview of the broadcast frames.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import pydantic
import shiboken6
from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from studio.broadcast.session import main_key_name
from studio.config.settings import StreamSettings
from studio.core.errors import ConfigError, StudioError
from studio.core.events import ConfigChangedEvent
from studio.ui.panels.stream_form import StreamForm
from studio.ui.panels.stream_outputs import StreamOutputsEditor
from studio.ui.panels.stream_preview import StreamPreview
from studio.ui.panels.stream_session import StreamSession
from studio.ui.panels.stream_stats import StreamStatsView

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.avatar_view import AvatarScene
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 400


class StreamPanel(QWidget):
    """Going live and recording. GUI thread.

    Args:
        container: Config, its store, the secrets store and the bus.
        bridge: The GUI's only link to the engine.
        scene: The on-screen avatar scene (for the Live2D hand-over); ``None``: no views.
        parent: Qt parent.
    """

    def __init__(
        self,
        container: Container,
        bridge: EngineBridge,
        scene: AvatarScene | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("streamPanel")
        self.container = container
        self.bridge = bridge
        self.scene = scene
        self.session = StreamSession(bridge, self)
        self.form = StreamForm(self)
        self.form.load(container.config.stream)
        self.outputs = StreamOutputsEditor(self)
        self.outputs.load(container.config.stream.extra_outputs)
        self.go_live_button = QPushButton(self)
        self.go_live_button.setObjectName("goLiveButton")
        self.record_button = QPushButton(self)
        self.record_button.setObjectName("recordButton")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("streamStatusText")
        self.status_label.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("streamError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d9534f;")
        self.error_label.hide()
        self.stats_view = StreamStatsView(self)
        self.preview = StreamPreview(bridge, self)
        self.preview.hide()
        self._key_checked = False
        self._lent = False
        self._status = ("idle", "")

        buttons = QHBoxLayout()
        buttons.addWidget(self.go_live_button, 1)
        buttons.addWidget(self.record_button, 1)
        content = QWidget(self)
        inner = QVBoxLayout(content)
        inner.addWidget(self.form)
        inner.addWidget(self.outputs)
        inner.addLayout(buttons)
        inner.addWidget(self.status_label)
        inner.addWidget(self.error_label)
        inner.addWidget(self.preview)
        inner.addWidget(self.stats_view)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)
        self.form.edited.connect(self._save_timer.start)
        self.form.key_save_requested.connect(self.save_key)
        self.form.key_forget_requested.connect(self.forget_key)
        self.outputs.edited.connect(self._save_timer.start)
        self.outputs.key_entered.connect(self._save_output_key)
        self.outputs.removed.connect(
            lambda output: self.bridge.spawn(self._forget_key(output), "stream:forget-key")
        )
        self.go_live_button.clicked.connect(self.toggle_live)
        self.record_button.clicked.connect(self.toggle_recording)
        self.session.stats_changed.connect(self._on_session)
        self.session.output_state.connect(self._on_output_state)
        self.session.busy_changed.connect(self._on_session)
        self.session.recording_changed.connect(self._on_recording)
        self.session.failed.connect(self._show_error)
        bridge.config_changed.connect(self._on_config_changed)
        self.retranslate_ui()

    # ---- settings -------------------------------------------------------------------------------

    def settings(self) -> StreamSettings | None:
        """The ``[stream]`` settings as the form shows them, or ``None`` (reported) if invalid."""
        values: dict[str, Any] = self.container.config.stream.model_dump()
        values.update(self.form.values())
        values["extra_outputs"] = self.outputs.values()
        try:
            return StreamSettings.model_validate(values)
        except pydantic.ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(part) for part in err["loc"])
            self._report(
                self.tr("Invalid stream setting {key}: {message}").format(key=where, message=err["msg"])
            )
            return None

    def save_settings(self) -> StreamSettings | None:
        """Save the form to ``[stream]`` now (if it changed). Returns what is in effect."""
        self._save_timer.stop()
        settings = self.settings()
        if settings is None:
            return None
        container = self.container
        if settings.model_dump() == container.config.stream.model_dump():
            return settings
        try:
            container.config = container.config_store.save_area(container.config, settings)
        except ConfigError as exc:
            container.config = container.config.model_copy(update={"stream": settings})
            self._report(exc.user_message)
        log.info("settings saved", extra={"area": "stream"})
        container.bus.publish_threadsafe(ConfigChangedEvent(area="stream"))
        return settings

    def _on_config_changed(self, area: str) -> None:
        if area == "stream" and not self._save_timer.isActive():
            self.form.load(self.container.config.stream)
            self.outputs.load(self.container.config.stream.extra_outputs)

    # ---- the stream key (secrets store only) ----------------------------------------------------

    def save_key(self) -> asyncio.Task[Any] | None:
        """Store the typed key as the secret ``stream.key`` (off the GUI thread)."""
        key = self.form.typed_key()
        if not key:
            return None
        return self.bridge.spawn(self._save_key(key), "stream:save-key")

    async def _save_key(self, key: str, output: str = "main") -> bool:
        if any(ch.isspace() for ch in key):
            self._report(self.tr("The stream key must not contain spaces."))
            return False
        try:
            await asyncio.to_thread(self.container.secrets.set, main_key_name(output), key)
        except StudioError as exc:
            self._report(exc.user_message)
            return False
        if shiboken6.isValid(self):
            self._key_state(output, True, key)
        return True

    def _save_output_key(self, output: str, key: str) -> None:
        self.bridge.spawn(self._save_key(key, output), "stream:save-key")

    def _key_state(self, output: str, saved: bool, key: str = "") -> None:
        if output == "main":
            if not key or self.form.typed_key() == key:
                self.form.set_key_saved(saved)
        elif (row := self.outputs.row(output)) is not None and (
            not key or row.key_edit.text().strip() == key
        ):
            row.set_key_saved(saved)

    def forget_key(self) -> asyncio.Task[Any] | None:
        """Remove the stored stream key."""
        return self.bridge.spawn(self._forget_key(), "stream:forget-key")

    async def _forget_key(self, output: str = "main") -> None:
        try:
            await asyncio.to_thread(self.container.secrets.delete, main_key_name(output))
        except StudioError as exc:
            self._report(exc.user_message)
            return
        if shiboken6.isValid(self):
            self._key_state(output, False)

    async def _check_key(self) -> None:
        for output in ["main", *(row.output_id for row in self.outputs.rows)]:
            try:
                saved = await asyncio.to_thread(self.container.secrets.get, main_key_name(output))
            except StudioError as exc:
                self._report(exc.user_message)
                return
            if shiboken6.isValid(self):
                self._key_state(output, bool(saved))

    # ---- going live and recording ---------------------------------------------------------------

    def toggle_live(self) -> None:
        """Go live, or stop the stream when live (the Go live / Stop button)."""
        if self.session.live:
            self._set_status("stopping")
            self.session.stop_live()
        else:
            self.go_live()

    def toggle_recording(self) -> None:
        """Start recording, or finish the recording (the Record / Stop recording button)."""
        if self.session.recording:
            self._set_status("stopping")
            self.session.stop_recording()
            return
        settings = self.save_settings()
        if settings is not None:
            self._clear_error()
            self._set_status("starting")
            self.session.start_recording(settings, self._hand_over)

    def go_live(self) -> asyncio.Task[Any] | None:
        """Save the settings (and a typed key), check the server, then go live."""
        settings = self.save_settings()
        if settings is None:
            return None
        if not settings.server.strip():
            self._report(self.tr("Choose a platform or enter the RTMP server URL before going live."))
            self.form.server_edit.setFocus()
            return None
        self._clear_error()
        return self.bridge.spawn(self._go_live(settings), "stream:prepare")

    async def _go_live(self, settings: StreamSettings) -> None:
        key = self.form.typed_key()
        if key and not await self._save_key(key):
            return
        if shiboken6.isValid(self):
            self._set_status("starting")
            self.session.go_live(settings, self._hand_over)

    def _hand_over(self) -> None:
        """Right before the broadcast starts rendering: give the Live2D model to its stage."""
        scene = self.scene
        if scene is not None and scene.kind == "live2d" and not self._lent:
            scene.lend_live2d()
            self._lent = True
            self.preview.start()

    def _give_back(self) -> None:
        if self._lent and self.scene is not None:
            self._lent = False
            self.preview.stop()
            self.scene.return_live2d()

    # ---- session state ---------------------------------------------------------------------------

    def _on_session(self, *_: object) -> None:
        session = self.session
        self.stats_view.show_stats(session.stats, session.states)
        if not session.busy:
            if not session.active:
                self._give_back()
                if self._status[0] in ("starting", "stopping"):
                    self._set_status("idle")
            elif self._status[0] in ("starting", "stopping"):
                self._set_status("running")
        self._update_buttons()

    def _on_output_state(self, output: str, state: str, detail: str) -> None:
        self._on_session()

    def _on_recording(self, path: str) -> None:
        if path:
            self._set_status("recording", path)
        self._on_session()

    def _update_buttons(self) -> None:
        session = self.session
        busy = session.busy
        self.go_live_button.setText(self.tr("Stop stream") if session.live else self.tr("Go live"))
        self.go_live_button.setEnabled(not busy)
        self.record_button.setText(self.tr("Stop recording") if session.recording else self.tr("Record"))
        self.record_button.setEnabled(not busy)
        self.form.set_running(session.active)

    def _set_status(self, state: str, detail: str = "") -> None:
        self._status = (state, detail)
        self._render_status()

    def _render_status(self) -> None:
        state, detail = self._status
        texts = {
            "starting": self.tr("Starting…"),
            "stopping": self.tr("Stopping…"),
            "recording": self.tr("Recording to {path}").format(path=detail),
        }
        if state == "running" and self.session.recording_path is not None:
            text = self.tr("Recording to {path}").format(path=self.session.recording_path)
        else:
            text = texts.get(state, "")
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    # ---- errors ----------------------------------------------------------------------------------

    def _report(self, message: str) -> None:
        """The one error path (status bar, notification, log) plus a line under the buttons."""
        self.bridge.report_error("stream", message)
        self._show_error(message)

    def _show_error(self, message: str) -> None:
        if shiboken6.isValid(self):
            self.error_label.setText(message)
            self.error_label.setVisible(bool(message))

    def _clear_error(self) -> None:
        self._show_error("")

    def error_text(self) -> str:
        """The error shown under the buttons, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    # ---- visibility, language --------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._key_checked:
            self._key_checked = True
            QTimer.singleShot(0, self, self._start_key_check)

    def _start_key_check(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no qasync loop (some tests): a local, fast read
            try:
                self.form.set_key_saved(bool(self.container.secrets.get(main_key_name())))
            except StudioError as exc:
                self._report(exc.user_message)
            return
        self.bridge.spawn(self._check_key(), "stream:check-key")

    def hideEvent(self, event: QHideEvent) -> None:
        if self._save_timer.isActive():
            self.save_settings()
        super().hideEvent(event)

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.go_live_button.setToolTip(
            self.tr("Stream to the server above (and the extra outputs) with the saved key.")
        )
        self.record_button.setToolTip(self.tr("Record the stream picture and sound to a file."))
        self._update_buttons()
        self._render_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
