"""The settings dialog: one tab per settings area, forms generated from the pydantic models.

OK/Apply validate every area with its model first; nothing is written while any value is rejected
(the message names the field and the dialog stays open). Then each changed area is saved with
``ConfigStore.save_area``, ``container.config`` is updated and a ``ConfigChangedEvent`` published.
A changed API area restarts the running API through the bridge.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import pydantic
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.config.settings import AREAS, AreaSettings
from studio.core.errors import ConfigError
from studio.core.events import ConfigChangedEvent
from studio.ui.dialogs.api_smtp import SmtpExtras
from studio.ui.dialogs.api_users_page import ApiUsersPage
from studio.ui.dialogs.field_editors import FieldEditor, editor_for, is_hidden
from studio.ui.dialogs.settings_texts import SettingsTexts

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.bridge import EngineBridge

log = logging.getLogger(__name__)


def env_override(cls: type[AreaSettings], name: str) -> str | None:
    """The environment variable that overrides field ``name`` of ``cls`` (env wins over the file)."""
    key = f"{cls.model_config.get('env_prefix', '')}{name}".upper()
    return next((var for var in os.environ if var.upper() == key), None)


class SettingsDialog(QDialog):
    """Edits ``config.toml`` through the settings models. GUI thread.

    Args:
        container: Holds the config, its store and the bus.
        bridge: Used to restart the API after its settings changed.
        parent: Qt parent (the main window).

    Signals:
        applied(areas): the listed areas were saved.
    """

    applied = Signal(list)

    def __init__(
        self, container: Container, bridge: EngineBridge | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self._container = container
        self._bridge = bridge
        self._texts = SettingsTexts(self)
        self._editors: dict[str, dict[str, FieldEditor]] = {}
        self._labels: dict[str, dict[str, QLabel]] = {}
        self._pages: dict[str, QWidget] = {}
        self.smtp_extras: SmtpExtras | None = None
        self._tabs = QTabWidget(self)
        for cls in AREAS:
            self._pages[cls.area] = self._build_area(cls)
            self._tabs.addTab(self._pages[cls.area], "")
        self.accounts_page = ApiUsersPage(bridge)
        self._tabs.insertTab(self._tabs.indexOf(self._pages["api"]) + 1, self.accounts_page, "")
        self._error = QLabel(self)
        self._error.setObjectName("settingsError")
        self._error.setWordWrap(True)
        self._error.hide()
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply,
            self,
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        self.apply_button.clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self._tabs, 1)
        layout.addWidget(self._error)
        layout.addWidget(self._buttons)
        self.resize(560, 460)
        self.load()
        self.retranslate_ui()

    # ---- building ---------------------------------------------------------------------------

    def _build_area(self, cls: type[AreaSettings]) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        editors: dict[str, FieldEditor] = {}
        labels: dict[str, QLabel] = {}
        for name, field in cls.model_fields.items():
            if is_hidden(field):
                continue
            editor = editor_for(field, page)
            editor.widget.setObjectName(f"{cls.area}.{name}")
            # An environment variable would win over anything typed here, so say so instead.
            editor.widget.setEnabled(env_override(cls, name) is None)
            label = QLabel(page)
            label.setBuddy(editor.widget)
            form.addRow(label, editor.widget)
            editors[name] = editor
            labels[name] = label
        self._editors[cls.area] = editors
        self._labels[cls.area] = labels
        if cls.area == "smtp":  # the password (secrets store) and the test mail below the fields
            self.smtp_extras = SmtpExtras(self._container, self._bridge, editors, page)
            outer.insertWidget(1, self.smtp_extras)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        return scroll

    # ---- access (tests and callers) ---------------------------------------------------------

    @property
    def ok_button(self) -> QWidget:
        """The OK button."""
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def apply_button(self) -> QWidget:
        """The Apply button."""
        return self._buttons.button(QDialogButtonBox.StandardButton.Apply)

    def editor(self, area: str, name: str) -> FieldEditor:
        """The editor of field ``area.name``."""
        return self._editors[area][name]

    def error_text(self) -> str:
        """The validation or save message shown, or ``""``."""
        return self._error.text() if self._error.isVisible() else ""

    # ---- behaviour --------------------------------------------------------------------------

    def load(self) -> None:
        """Show the values of the current config."""
        config = self._container.config
        self._shown: dict[str, dict[str, Any]] = {}
        for cls in AREAS:
            current = config.area(cls.area)
            shown = self._shown.setdefault(cls.area, {})
            for name, editor in self._editors[cls.area].items():
                editor.set_value(getattr(current, name))
                editor.set_invalid(False)
                shown[name] = editor.value()  # as the editor reports it, for change detection
        if self.smtp_extras is not None:
            self.smtp_extras.load()
        self._show_error("")

    def _collect(self) -> dict[str, AreaSettings] | None:
        """Validate every area; on the first rejected value show it and return ``None``."""
        config = self._container.config
        result: dict[str, AreaSettings] = {}
        for cls in AREAS:
            current = config.area(cls.area)
            values: dict[str, Any] = current.model_dump()
            for name, editor in self._editors[cls.area].items():
                # Only what was edited here: a value saved elsewhere meanwhile (the Voice panel,
                # say) must not be overwritten by what this dialog showed when it opened.
                if editor.value() != self._shown[cls.area][name]:
                    values[name] = editor.value()
                editor.set_invalid(False)
            try:
                result[cls.area] = cls.model_validate(values)
            except pydantic.ValidationError as exc:
                err = exc.errors()[0]
                name = str(err["loc"][0]) if err["loc"] else ""
                editor = self._editors[cls.area].get(name)
                label = self._texts.label(cls.area, name)
                msg = err["msg"].removeprefix("Value error, ")
                self._show_error(self._texts.validation_message(label, f"{cls.area}.{name}", msg))
                self._tabs.setCurrentWidget(self._pages[cls.area])
                if editor is not None:
                    editor.set_invalid(True)
                    editor.widget.setFocus()
                return None
        return result

    def apply(self) -> bool:
        """Validate, then save every changed area. Returns False (and shows why) on failure."""
        areas = self._collect()
        if areas is None:
            return False
        container = self._container
        changed = [
            name
            for name, area in areas.items()
            if area.model_dump() != container.config.area(name).model_dump()
        ]
        for name in changed:
            try:
                container.config = container.config_store.save_area(container.config, areas[name])
            except ConfigError as exc:
                self._show_error(exc.user_message)
                return False
            log.info("settings saved", extra={"area": name})
            container.bus.publish_threadsafe(ConfigChangedEvent(area=name))
        if self.smtp_extras is not None:
            self.smtp_extras.apply()  # the typed SMTP password -> secrets store (never config.toml)
        self.load()  # what is saved is the new baseline
        self._show_error("")
        if "api" in changed:
            self._restart_api()
        if changed:
            self.applied.emit(changed)
        return True

    def _restart_api(self) -> None:
        bridge = self._bridge
        if bridge is None or not bridge.engine_running:
            return
        if self._container.config.api.enabled:
            bridge.restart_api()
        else:
            bridge.stop_api()

    def accept(self) -> None:
        """OK: apply, and close only if that worked."""
        if self.apply():
            super().accept()

    def _show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.setVisible(bool(text))

    # ---- language ---------------------------------------------------------------------------

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.setWindowTitle(self.tr("Settings"))
        self._tabs.setTabText(self._tabs.indexOf(self.accounts_page), self.tr("Users and tokens"))
        for cls in AREAS:
            self._tabs.setTabText(self._tabs.indexOf(self._pages[cls.area]), self._texts.area_title(cls))
            for name, label in self._labels[cls.area].items():
                field = cls.model_fields[name]
                label.setText(self._texts.label(cls.area, name))
                editor = self._editors[cls.area][name]
                tip = self._texts.tooltip(
                    field.description, one_per_line=isinstance(editor.widget, QPlainTextEdit)
                )
                env = env_override(cls, name)
                if env is not None:
                    tip = self.tr("Set by the environment variable {name}.").format(name=env) + "\n" + tip
                label.setToolTip(tip)
                editor.widget.setToolTip(tip)
                combo = editor.widget
                if isinstance(combo, QComboBox):
                    for i in range(combo.count()):
                        combo.setItemText(i, self._texts.choice(cls.area, name, combo.itemData(i)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
