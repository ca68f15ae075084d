"""The Script tab: topic -> outline -> chapters (all editable), pasted scripts, save/load, read aloud.

The chapter list holds the outline (titles editable in place); the editor shows the selected
chapter's text, emotion tags included, and is where written chapters stream in. Read-aloud
controls drive the engine's queue; its progress selects the chapter and highlights the sentence
being read. Engine work goes through :class:`~studio.ui.panels.script_session.ScriptSession`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from studio.brain.script import Chapter, Script, ScriptError, parse_pasted_script
from studio.ui.panels.script_session import ScriptSession

if TYPE_CHECKING:
    from studio.app.container import Container
    from studio.ui.bridge import EngineBridge

LANGUAGES = ("zh", "en", "ja")


class ScriptPanel(QWidget):
    """Script writing and read-aloud. GUI thread.

    Args:
        container: The composition root (the UI language picks the script language).
        bridge: The GUI's only link to the engine.
        parent: Qt parent.
    """

    def __init__(self, container: Container, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptPanel")
        self.bridge = bridge
        self.session = ScriptSession(bridge, self)
        self.script: Script | None = None
        self.highlight: tuple[int, int] | None = None
        self._shown = -1  # chapter in the editor
        self._streams: dict[int, str] = {}
        self._paused = False

        self.topic_edit = QLineEdit(self)
        self.topic_edit.setObjectName("topicEdit")
        self.language_combo = QComboBox(self)
        self.language_combo.addItems(["中文", "English", "日本語"])
        ui = container.config.ui.language
        self.language_combo.setCurrentIndex(2 if ui.startswith("ja") else 1 if ui.startswith("en") else 0)
        self.outline_button = QPushButton(self)
        self.outline_button.setObjectName("outlineButton")
        self.chapter_list = QListWidget(self)
        self.chapter_list.setObjectName("chapterList")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("scriptEditor")
        self.write_button = QPushButton(self)
        self.write_button.setObjectName("writeScriptButton")
        self.paste_button = QPushButton(self)
        self.paste_button.setObjectName("pasteScriptButton")
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("saveScriptButton")
        self.saved_combo = QComboBox(self)
        self.saved_combo.setObjectName("savedScripts")
        self.load_button = QPushButton(self)
        self.load_button.setObjectName("loadScriptButton")
        self.play_button = QPushButton(self)
        self.play_button.setObjectName("playScriptButton")
        self.skip_button = QPushButton(self)
        self.skip_button.setObjectName("skipButton")
        self.jump_button = QPushButton(self)
        self.jump_button.setObjectName("jumpButton")
        self.stop_button = QPushButton(self)
        self.stop_button.setObjectName("stopScriptButton")
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("scriptProgress")
        self.progress_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.topic_edit, 1)
        top.addWidget(self.language_combo)
        top.addWidget(self.outline_button)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.chapter_list)
        split.addWidget(self.editor)
        split.setStretchFactor(1, 2)
        files = QHBoxLayout()
        for w in (self.write_button, self.paste_button, self.save_button):
            files.addWidget(w)
        files.addWidget(self.saved_combo, 1)
        files.addWidget(self.load_button)
        reading = QHBoxLayout()
        for w in (self.play_button, self.skip_button, self.jump_button, self.stop_button):
            reading.addWidget(w)
        reading.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(files)
        layout.addLayout(reading)
        layout.addWidget(self.progress_label)

        self.outline_button.clicked.connect(self.write_outline)
        self.topic_edit.returnPressed.connect(self.write_outline)
        self.write_button.clicked.connect(self.write_script)
        self.paste_button.clicked.connect(self._ask_paste)
        self.save_button.clicked.connect(self.save)
        self.load_button.clicked.connect(self.load_selected)
        self.play_button.clicked.connect(self.play_pause)
        self.skip_button.clicked.connect(lambda: self.session.control("skip"))
        self.jump_button.clicked.connect(self.jump)
        self.stop_button.clicked.connect(lambda: self.session.control("stop"))
        self.chapter_list.currentRowChanged.connect(self._show_chapter)
        self.chapter_list.itemChanged.connect(self._on_title_edited)
        s = self.session
        s.outline_ready.connect(self.set_script)
        s.loaded.connect(self.set_script)
        s.chapter_delta.connect(self._on_delta)
        s.chapter_written.connect(self._on_written)
        s.listed.connect(self._on_listed)
        s.saved.connect(
            lambda summary: self._set_progress(self.tr("Saved “{title}”.").format(title=summary.title))
        )
        s.progress.connect(self._on_progress)
        s.busy_changed.connect(self._update_buttons)
        self.retranslate_ui()

    # ---- script in the editor -----------------------------------------------------------------

    def set_script(self, script: Script) -> None:
        """Show ``script``: its chapters in the list, the first one in the editor."""
        self.script = script
        self._shown = -1
        self._streams.clear()
        self.chapter_list.blockSignals(True)
        self.chapter_list.clear()
        for chapter in script.chapters:
            item = QListWidgetItem(chapter.title or self.tr("(untitled)"))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.chapter_list.addItem(item)
        self.chapter_list.blockSignals(False)
        if script.topic:
            self.topic_edit.setText(script.topic)
        self.chapter_list.setCurrentRow(0)
        self._update_buttons()

    def commit_editor(self) -> None:
        """Put the editor's text back into the chapter it shows (if it was edited)."""
        script, index = self.script, self._shown
        if script is not None and 0 <= index < len(script.chapters) and self.editor.document().isModified():
            script.chapters[index].set_text(self.editor.toPlainText())
            self.editor.document().setModified(False)

    def _show_chapter(self, index: int) -> None:
        self.commit_editor()
        self._shown = index
        script = self.script
        text = ""
        if script is not None and 0 <= index < len(script.chapters):
            text = self._streams.get(index, script.chapters[index].text)
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self._paint_highlight()

    def _on_title_edited(self, item: QListWidgetItem) -> None:
        row = self.chapter_list.row(item)
        if self.script is not None and 0 <= row < len(self.script.chapters):
            self.script.chapters[row].title = item.text().strip()

    def paste_script(self, text: str) -> bool:
        """Make a script from pasted text (no LLM); False (and an error shown) when nothing is readable."""
        try:
            script = parse_pasted_script(text)
        except ScriptError as exc:
            self.bridge.report_error("script", exc.user_message)
            return False
        self.set_script(script)
        return True

    def _ask_paste(self) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Paste a script"), self.tr("Chapters start at headings or blank lines:")
        )
        if ok and text.strip():
            self.paste_script(text)

    # ---- writing ------------------------------------------------------------------------------

    def write_outline(self) -> None:
        """Topic -> outline through the chat model."""
        topic = self.topic_edit.text().strip()
        if not topic:
            self._set_progress(self.tr("Enter a topic first."))
            return
        self._set_progress(self.tr("Writing the outline…"))
        self.session.write_outline(topic, LANGUAGES[self.language_combo.currentIndex()])

    def write_script(self) -> None:
        """Write every chapter that has no text yet (streamed into the editor)."""
        if self.session.busy:
            self.session.cancel_writing()
            return
        self.commit_editor()
        script = self.script
        if script is None:
            self._set_progress(self.tr("Write an outline or paste a script first."))
            return
        todo = [n for n, c in enumerate(script.chapters) if not c.sentences]
        if not todo:
            self._set_progress(self.tr("Every chapter has text. Clear a chapter to write it again."))
            return
        self._set_progress(self.tr("Writing the script…"))
        self.session.write_chapters(script, todo)

    def _on_delta(self, index: int, delta: str) -> None:
        first = index not in self._streams
        self._streams[index] = self._streams.get(index, "") + delta
        if first and self.chapter_list.currentRow() != index:
            self.chapter_list.setCurrentRow(index)
        elif self._shown == index:
            self.editor.moveCursor(QTextCursor.MoveOperation.End)
            self.editor.insertPlainText(delta)
            self.editor.document().setModified(False)

    def _on_written(self, index: int, chapter: Chapter) -> None:
        self._streams.pop(index, None)
        if self.script is not None and 0 <= index < len(self.script.chapters):
            self.script.chapters[index] = chapter
            if self._shown == index:
                self.editor.setPlainText(chapter.text)
                self.editor.document().setModified(False)
        self._set_progress(self.tr("Chapter {n} written.").format(n=index + 1))

    # ---- storage ------------------------------------------------------------------------------

    def save(self) -> None:
        """Store the script (with the editor's edits)."""
        self.commit_editor()
        if self.script is not None:
            self.session.save(self.script)

    def load_selected(self) -> None:
        """Load the script chosen in the list of stored scripts."""
        script_id = self.saved_combo.currentData()
        if script_id:
            self.session.load(str(script_id))

    def _on_listed(self, summaries: list[Any]) -> None:
        self.saved_combo.clear()
        for summary in summaries:
            self.saved_combo.addItem(summary.title, summary.id)

    # ---- reading ------------------------------------------------------------------------------

    def play_pause(self) -> None:
        """Play from the selected chapter, or pause / resume the reading."""
        if self.highlight is not None:
            self.session.control("resume" if self._paused else "pause")
            return
        self.commit_editor()
        if self.script is None or not any(c.sentences for c in self.script.chapters):
            self._set_progress(self.tr("There is nothing to read yet."))
            return
        self.session.play(self.script, max(0, self.chapter_list.currentRow()))

    def jump(self) -> None:
        """Read from the start of the selected chapter now."""
        self.session.control("jump", max(0, self.chapter_list.currentRow()))

    def _on_progress(self, event: Any) -> None:
        state = event.state
        self._paused = state == "paused"
        if state in ("playing", "paused") and event.chapter < len(
            self.script.chapters if self.script else []
        ):
            self.highlight = (event.chapter, event.sentence)
            if self.chapter_list.currentRow() != event.chapter:
                self.chapter_list.setCurrentRow(event.chapter)
            self._set_progress(
                self.tr("Chapter {c}/{cs}, sentence {s}/{ss}").format(
                    c=event.chapter + 1, cs=event.chapters, s=event.sentence + 1, ss=event.sentences
                )
            )
        else:
            self.highlight = None
            texts = {
                "finished": self.tr("Finished reading."),
                "stopped": self.tr("Reading stopped."),
                "failed": self.tr("Reading failed: {detail}").format(detail=event.detail),
            }
            self._set_progress(texts.get(state, ""))
        self._paint_highlight()
        self._update_buttons()

    def _paint_highlight(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        script, spot = self.script, self.highlight
        if script is not None and spot is not None and spot[0] == self._shown:
            sentences = script.chapters[spot[0]].sentences
            if spot[1] < len(sentences):
                cursor = self.editor.document().find(sentences[spot[1]].text, 0, QTextDocument.FindFlag(0))
                if not cursor.isNull():
                    selection = QTextEdit.ExtraSelection()
                    fmt = QTextCharFormat()
                    fmt.setBackground(QColor(255, 214, 102, 160))
                    selection.format = fmt  # type: ignore[attr-defined]
                    selection.cursor = cursor  # type: ignore[attr-defined]
                    selections.append(selection)
        self.editor.setExtraSelections(selections)

    def highlighted_text(self) -> str:
        """The text highlighted in the editor now ("" when none)."""
        selections = self.editor.extraSelections()
        return selections[0].cursor.selectedText() if selections else ""  # type: ignore[attr-defined]

    # ---- view ---------------------------------------------------------------------------------

    def _set_progress(self, text: str) -> None:
        self.progress_label.setText(text)

    def _update_buttons(self) -> None:
        busy = self.session.busy
        self.outline_button.setEnabled(not busy)
        self.write_button.setText(self.tr("Stop writing") if busy else self.tr("Write script"))
        reading = self.highlight is not None
        self.play_button.setText(
            (self.tr("Resume") if self._paused else self.tr("Pause")) if reading else self.tr("Read aloud")
        )
        for button in (self.skip_button, self.jump_button, self.stop_button):
            button.setEnabled(reading)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.bridge.engine_running and self.saved_combo.count() == 0:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return
            self.session.refresh()

    def retranslate_ui(self) -> None:
        """Re-read every text in the current language."""
        self.topic_edit.setPlaceholderText(self.tr("Topic of the stream, e.g. “Three tips for better sleep”"))
        self.outline_button.setText(self.tr("Write outline"))
        self.editor.setPlaceholderText(
            self.tr("The selected chapter's text. Edit freely; [happy] style tags set the avatar's emotion.")
        )
        self.paste_button.setText(self.tr("Paste script…"))
        self.save_button.setText(self.tr("Save"))
        self.load_button.setText(self.tr("Load"))
        self.skip_button.setText(self.tr("Skip"))
        self.jump_button.setText(self.tr("Jump to chapter"))
        self.jump_button.setToolTip(self.tr("Read from the start of the selected chapter."))
        self.stop_button.setText(self.tr("Stop"))
        self._update_buttons()
