"""Editors for settings fields, chosen from each pydantic field's type and constraints.

``bool`` -> check box, ``int`` -> spin box (range from ``ge``/``le``), ``float`` -> double spin box,
``Literal[...]`` -> combo box, ``list[str]`` -> one entry per line, ``str`` -> line edit.
Anything else is shown read-only (edit it in ``config.toml``).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    low: float | None = None
    high: float | None = None
    for meta in field.metadata:
        for attr, strict in (("ge", False), ("gt", True)):
            value = getattr(meta, attr, None)
            if isinstance(value, int | float):
                low = value + (1 if strict and isinstance(value, int) else 0)
        for attr, strict in (("le", False), ("lt", True)):
            value = getattr(meta, attr, None)
            if isinstance(value, int | float):
                high = value - (1 if strict and isinstance(value, int) else 0)
    return low, high


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` so the plain type is left."""
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


class FieldEditor:
    """One settings field's editor widget with typed get/set. GUI thread.

    Args:
        widget: The editing widget.
        get: Reads the value from the widget.
        put: Shows a value in the widget.
    """

    def __init__(self, widget: QWidget, get: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.widget = widget
        self._get = get
        self._put = put

    def value(self) -> Any:
        """The value as edited."""
        return self._get()

    def set_value(self, value: Any) -> None:
        """Show ``value``."""
        self._put(value)

    def set_invalid(self, invalid: bool) -> None:
        """Mark the widget as holding a rejected value (styled by the theme)."""
        self.widget.setProperty("invalid", invalid)
        style = self.widget.style()
        style.unpolish(self.widget)
        style.polish(self.widget)


def _bool_editor(parent: QWidget) -> FieldEditor:
    box = QCheckBox(parent)
    return FieldEditor(box, box.isChecked, lambda v: box.setChecked(bool(v)))


def _int_editor(parent: QWidget, field: FieldInfo) -> FieldEditor:
    spin = QSpinBox(parent)
    low, high = _bounds(field)
    spin.setRange(int(low) if low is not None else _INT_MIN, int(high) if high is not None else _INT_MAX)
    return FieldEditor(spin, spin.value, lambda v: spin.setValue(int(v)))


def _float_editor(parent: QWidget, field: FieldInfo) -> FieldEditor:
    spin = QDoubleSpinBox(parent)
    low, high = _bounds(field)
    spin.setDecimals(3)
    spin.setRange(low if low is not None else -1e12, high if high is not None else 1e12)
    if low is not None and high is not None and high - low <= 50:
        spin.setSingleStep(0.1)
    return FieldEditor(spin, spin.value, lambda v: spin.setValue(float(v)))


def _choice_editor(parent: QWidget, choices: tuple[Any, ...]) -> FieldEditor:
    combo = QComboBox(parent)
    for choice in choices:
        combo.addItem(str(choice), choice)

    def put(value: Any) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    return FieldEditor(combo, combo.currentData, put)


def _list_editor(parent: QWidget) -> FieldEditor:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 14)

    def get() -> list[str]:
        return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]

    return FieldEditor(edit, get, lambda v: edit.setPlainText("\n".join(str(x) for x in v or [])))


def _str_editor(parent: QWidget) -> FieldEditor:
    edit = QLineEdit(parent)
    edit.setClearButtonEnabled(True)
    return FieldEditor(edit, edit.text, lambda v: edit.setText("" if v is None else str(v)))


def _readonly_editor(parent: QWidget, original: list[Any]) -> FieldEditor:
    label = QLabel(parent)

    def put(value: Any) -> None:
        original[:] = [value]
        label.setText(repr(value))

    return FieldEditor(label, lambda: original[0] if original else None, put)


def is_hidden(field: FieldInfo) -> bool:
    """True for fields marked ``json_schema_extra={"hidden": True}``."""
    extra = field.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("hidden"))


def editor_for(field: FieldInfo, parent: QWidget) -> FieldEditor:
    """Build the editor that fits ``field``'s type. GUI thread."""
    annotation = _unwrap(field.annotation)
    origin = get_origin(annotation)
    if annotation is bool:
        return _bool_editor(parent)
    if annotation is int:
        return _int_editor(parent, field)
    if annotation is float:
        return _float_editor(parent, field)
    if annotation is str:
        return _str_editor(parent)
    if origin is Literal:
        return _choice_editor(parent, get_args(annotation))
    if origin is list and get_args(annotation) in ((str,), ()):
        return _list_editor(parent)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and _unwrap(args[0]) is str:
            return _str_editor(parent)
    return _readonly_editor(parent, [])
