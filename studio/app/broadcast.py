"""The broadcast wired into the studio: the headless stage as the video feed, the stream mix as audio.

:func:`build_broadcast` makes the one :class:`~studio.broadcast.session.BroadcastSession` of an
:class:`~studio.app.runtime.EngineRuntime`: video from a :class:`StageFeed` (the current avatar
rendered by a :class:`~studio.avatar.render.stage.HeadlessStage` in its own EGL context, each frame
at the MediaClock pts heard when it was drawn, the mouth from the director's lip-sync), audio from
the speech stack's :class:`~studio.audio.mixer.Mixer` (``playout.mixer``: its stream bus is stamped
from the same clock), recordings under ``<data_dir>/recordings``, stream keys from the secrets store.

The render modules are imported by name when a feed starts, like ``studio bench render``:
``studio.app`` must not depend on OpenGL/live2d at import time (import-linter), and a machine
without GL can still run every other command.

Live2D: live2d-py keeps its models in one GL context at a time. Headless (``studio serve``,
``studio demo``, ``studio bench stream``) the stage's EGL context is the only one, so this is fine.
The GUI draws the same model in its QOpenGLWidget context: before a stage feed loads a Live2D
model there, the GUI must release its Live2D model (``AvatarView.release_renderer``) or feed the
encoder from its own readback instead of a :class:`StageFeed`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from studio.avatar.state import AvatarState

if TYPE_CHECKING:  # PyAV loads only when a broadcast is built
    from studio.app.runtime import EngineRuntime
    from studio.avatar.library import Avatar
    from studio.avatar.render.base import AvatarRenderer
    from studio.broadcast.session import BroadcastSession, FrameSink
    from studio.config.settings import StreamSettings
    from studio.core.clock import MediaClock

__all__ = [
    "BroadcastService",
    "StageFeed",
    "build_broadcast",
    "make_renderer",
    "parse_background",
    "publish_stats_every",
    "recordings_dir",
    "stop_in_thread",
]

log = logging.getLogger(__name__)

_HEX: Final = re.compile(r"^#?([0-9a-fA-F]{6})$")
_DEFAULT_BACKGROUND: Final = (0x1F / 255, 0x24 / 255, 0x30 / 255, 1.0)

RendererFactory = Callable[[], "AvatarRenderer"]
"""Makes a fresh, unloaded renderer (called each time the feed starts)."""


def parse_background(color: str) -> tuple[float, float, float, float]:
    """``#RRGGBB`` -> an opaque RGBA clear colour 0..1 (the default dark blue when malformed).

    The stream has no alpha channel, so the background is always opaque.
    """
    match = _HEX.match(color.strip())
    if match is None:
        log.warning("stream background %r is not #RRGGBB; using the default", color)
        return _DEFAULT_BACKGROUND
    value = int(match.group(1), 16)
    return ((value >> 16 & 0xFF) / 255, (value >> 8 & 0xFF) / 255, (value & 0xFF) / 255, 1.0)


def make_renderer(
    avatar: Avatar | None,
    *,
    resources_dir: Path | None = None,
    auto_blink: bool = True,
    auto_breath: bool = True,
) -> AvatarRenderer:
    """A new (unloaded) renderer for ``avatar``: Live2D, a PNGTuber, or the built-in avatar (``None``).

    Any thread; the GL work happens in the renderer's ``load`` on the render thread.

    Raises:
        AvatarModelError: the Live2D model json cannot be parsed.
    """
    if avatar is not None and avatar.kind == "live2d" and avatar.model_file is not None:
        return live2d_renderer(
            avatar.model_file,
            lip_sync_ids=avatar.settings.lip_sync_ids,
            auto_blink=auto_blink,
            auto_breath=auto_breath,
        )
    pngtuber = importlib.import_module("studio.avatar.render.pngtuber")
    folder = None if avatar is None or avatar.builtin else avatar.folder
    renderer: AvatarRenderer = pngtuber.PngTuberRenderer(folder, resources_dir=resources_dir)
    return renderer


def live2d_renderer(model_json: Path, **options: Any) -> AvatarRenderer:
    """A Live2D renderer for ``model_json``; idle motions off (the director schedules them)."""
    live2d = importlib.import_module("studio.avatar.render.live2d")
    options.setdefault("idle_motions", False)
    renderer: AvatarRenderer = live2d.Live2DRenderer(model_json, **options)
    return renderer


class StageFeed:
    """A :class:`~studio.broadcast.session.VideoFeed` rendering the avatar headless.

    Each :meth:`start` makes a fresh renderer and a :class:`HeadlessStage` at the stream's size,
    rate and background, and hands every frame (pts, RGBA) to the encoder's sink on the render
    thread; :meth:`stop` ends the stage and frees its GL context.

    Args:
        renderer: Makes a fresh renderer for the current avatar.
        state_source: pts -> :class:`AvatarState` (the director's ``frame_state``).
        clock: The studio's MediaClock (reported by the audio playout).
        settings: The ``[stream]`` settings, read at each start (size, fps, background).

    Threads: :meth:`start`/:meth:`stop` from the session's (blocking) caller thread.
    """

    def __init__(
        self,
        renderer: RendererFactory,
        state_source: Callable[[float], AvatarState],
        clock: MediaClock,
        settings: Callable[[], StreamSettings],
    ) -> None:
        self._renderer = renderer
        self._state_source = state_source
        self._clock = clock
        self._settings = settings
        self._stage: Any = None
        self._last_stats: Any = None

    def latest_frame(self) -> Any:
        """The newest rendered frame still queued (a ``StageFrame``), or ``None`` (any thread)."""
        stage = self._stage
        return None if stage is None else stage.get(0)

    @property
    def stats(self) -> Any:
        """The stage's :class:`~studio.avatar.render.stage.StageStats` (``None`` before a start)."""
        stage = self._stage
        return stage.stats if stage is not None else self._last_stats

    def start(self, sink: FrameSink) -> None:
        """Load the avatar in a new EGL context and start rendering into ``sink`` (blocking).

        Raises:
            GLUnavailableError: no headless OpenGL on this machine.
            AvatarModelError: the avatar model could not be loaded.
            RenderError: the stage could not start.
        """
        if self._stage is not None:
            return
        stage_mod = importlib.import_module("studio.avatar.render.stage")
        s = self._settings()

        def deliver(frame: Any) -> None:
            sink(frame.pts, frame.image)

        stage = stage_mod.HeadlessStage(
            self._renderer(),
            self._clock,
            self._state_source,
            width=s.width,
            height=s.height,
            fps=float(s.fps),
            queue_size=1,  # nobody reads the queue: frames go to the sink
            on_frame=deliver,
            clear_color=parse_background(s.background),
        )
        stage.start()
        self._stage = stage

    def stop(self) -> None:
        """Stop rendering (frames in flight are still delivered) and free GL; idempotent."""
        stage, self._stage = self._stage, None
        if stage is not None:
            stage.stop()
            self._last_stats = stage.stats


def recordings_dir(data_dir: Path) -> Path:
    """Where recordings go by default: ``<data_dir>/recordings``."""
    return data_dir / "recordings"


async def build_broadcast(runtime: EngineRuntime) -> tuple[BroadcastSession, StageFeed]:
    """The runtime's broadcast session and its video feed (engine loop; builds speech and avatar).

    Audio is the speech stack's stream mix; video is the current avatar session's avatar, directed
    by its director (the session is looked up at each start, so a reloaded avatar is streamed the
    next time the feed starts). A saved ``[stream]`` area (:class:`ConfigChangedEvent`) becomes
    the session's settings, used from the next start.
    """
    from studio.broadcast.session import BroadcastSession
    from studio.core.events import ConfigChangedEvent

    speech = await runtime.speech()
    await runtime.avatar()
    c = runtime.container

    def current_renderer() -> AvatarRenderer:
        session = runtime.current_avatar
        if session is None:
            return make_renderer(None, resources_dir=c.paths.resources_dir)
        config = session.director.config
        return make_renderer(
            session.avatar,
            resources_dir=c.paths.resources_dir,
            auto_blink=config.auto_blink,
            auto_breath=config.auto_breath,
        )

    def state_at(pts: float) -> AvatarState:
        session = runtime.current_avatar
        return session.director.frame_state(pts) if session is not None else AvatarState()

    # The feed reads the session's settings, so frames and encoder always agree on the size.
    feed = StageFeed(current_renderer, state_at, c.clock, lambda: session.settings)
    session = BroadcastSession(
        c.config.stream,
        speech.playout.mixer,
        feed,
        recordings_dir(c.paths.data_dir),
        bus=c.bus,
        secret=c.secrets.get,
    )

    def settings_saved(event: ConfigChangedEvent) -> None:
        if event.area == "stream":  # a saved [stream] area replaces the object: take the new one
            session.settings = c.config.stream

    c.bus.subscribe(ConfigChangedEvent, settings_saved)
    return session, feed


class BroadcastService:
    """What the streaming API routes use: the runtime's broadcast session, built on first use.

    Args:
        runtime: The engine runtime.
    """

    def __init__(self, runtime: EngineRuntime) -> None:
        self._runtime = runtime

    @property
    def current(self) -> BroadcastSession | None:
        """The session if it has been built (any thread)."""
        return self._runtime.current_broadcast

    async def session(self) -> BroadcastSession:
        """The session, built on first use (engine loop)."""
        return await self._runtime.broadcast()


async def publish_stats_every(session: BroadcastSession, period: float = 1.0) -> None:
    """Publish ``session``'s stats every ``period`` seconds until cancelled (engine loop, owned task)."""
    while True:
        await asyncio.sleep(period)
        session.publish_stats()  # a no-op while nothing runs


async def stop_in_thread(session: BroadcastSession, timeout: float) -> bool:
    """Stop ``session`` in a daemon thread, waiting at most ``timeout`` s (engine loop).

    A daemon thread rather than the loop's default executor: a stuck stop must not hold the
    executor's shutdown (and with it the engine thread) forever.

    Returns:
        True if the session stopped in time.
    """
    done: concurrent.futures.Future[None] = concurrent.futures.Future()

    def stop() -> None:
        try:
            session.stop(timeout=timeout / 2)
            done.set_result(None)
        except BaseException as exc:
            done.set_exception(exc)

    threading.Thread(target=stop, name="studio-broadcast-stop", daemon=True).start()
    try:
        await asyncio.wait_for(asyncio.wrap_future(done), timeout)
    except TimeoutError:
        log.error("the broadcast did not stop within %.0fs", timeout)
        return False
    except Exception:
        log.exception("stopping the broadcast failed")
        return False
    return True
