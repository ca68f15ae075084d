"""Live2D avatars (Cubism 2 ``.model.json`` and Cubism 3-5 ``.model3.json``) through live2d-py.

One :class:`Live2DRenderer` draws one model into whatever framebuffer is bound: an
:class:`~studio.avatar.render.target.OffscreenTarget` headless, or QOpenGLWidget's in the GUI.

Each frame, :meth:`Live2DRenderer.update` applies the :class:`~studio.avatar.state.AvatarState`:
a new motion request (by serial), the expression, placement (scale/offset), then advances the
model (motions, expressions, blink, breath, physics, pose) by ``dt`` and finally writes parameter
overrides, gaze and the mouth. Cubism resets parameters inside ``Update`` from the saved state
and the motions, so values written *after* it and before ``Draw`` are the ones drawn: the mouth
from lip-sync always wins over motions.

Mouth: ``state.mouth`` holds Cubism 3 ids (``ParamMouthOpenY``, ``ParamMouthForm``, ``ParamA`` ..
``ParamO`` ...). Ids the model has are written as they are. The model's lip-sync parameters (its
``Groups`` -> ``LipSync`` ids, e.g. ``ParamA`` on Mao; overridable) that ``state.mouth`` does not
drive get the mouth opening, so any model opens its mouth for any lip-sync source. Cubism 2
models use ``PARAM_MOUTH_OPEN_Y``-style ids; Cubism 3 ids are translated for them.

Placement and gaze use frame conventions like the PNGTuber: ``scale`` 1 fits the model's canvas
to the frame height, ``offset`` is in frame fractions (x right, y down), ``look`` turns head,
body and eyes (x right, y down) on top of motions.

Threads: GL thread only (the owning context current), like every renderer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from studio.avatar.model_info import ModelFileError, ModelInfo, parse_model_json
from studio.avatar.render.errors import AvatarModelError, RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.live2d_loader import acquire_gl, native_stdout_to_stderr, release_gl
from studio.avatar.state import AvatarState, MotionRequest

__all__ = ["Live2DRenderer", "v2_param_id"]

log = logging.getLogger(__name__)

_OPEN: Final = "ParamMouthOpenY"
_VOWELS: Final = ("ParamA", "ParamI", "ParamU", "ParamE", "ParamO")
# look (-1..1, frame convention: x right, y down, as the PNGTuber) -> parameter deltas added on top
# of motions (head and body degrees, eyeballs); Cubism's Y parameters point up.
_LOOK_X: Final = (("ParamAngleX", 30.0), ("ParamBodyAngleX", 10.0), ("ParamEyeBallX", 1.0))
_LOOK_Y: Final = (("ParamAngleY", -30.0), ("ParamEyeBallY", -1.0))
_IDLE_GROUPS: Final = ("idle",)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def v2_param_id(param_id: str) -> str:
    """The Cubism 2 spelling of a Cubism 3 parameter id: ``ParamMouthOpenY`` -> ``PARAM_MOUTH_OPEN_Y``."""
    return _CAMEL.sub("_", param_id).upper()


def _group_key(name: str) -> str:
    return name.replace("_", "").lower()  # "TapBody" (Cubism 3) == "tap_body" (Cubism 2)


class Live2DRenderer:
    """A Live2D model implementing :class:`~studio.avatar.render.base.AvatarRenderer`.

    The model json is parsed at construction (cheap, any thread); :meth:`load` does the GL work.

    Args:
        model_json: A ``.model3.json`` (Cubism 3-5) or ``.model.json`` (Cubism 2) file.
        lip_sync_ids: Parameters the mouth opening drives; default: the model's ``LipSync`` group
            (else ``ParamMouthOpenY`` / ``PARAM_MOUTH_OPEN_Y``).
        auto_blink: Let Live2D blink the eyes.
        auto_breath: Let Live2D add its breathing sway.
        idle_motions: Start a random motion of the ``Idle`` group whenever no motion plays.

    Raises:
        AvatarModelError: the model json is unreadable or malformed.
    """

    def __init__(
        self,
        model_json: Path,
        *,
        lip_sync_ids: Sequence[str] | None = None,
        auto_blink: bool = True,
        auto_breath: bool = True,
        idle_motions: bool = True,
    ) -> None:
        self.path = Path(model_json)
        try:
            self.info: ModelInfo = parse_model_json(self.path)
        except ModelFileError as exc:
            raise AvatarModelError(exc.user_message) from exc
        self._lip_override = tuple(lip_sync_ids) if lip_sync_ids is not None else None
        self._auto_blink, self._auto_breath, self._idle = auto_blink, auto_breath, idle_motions
        self._model: Any = None
        self._v2 = self.info.cubism == 2
        self._size = (0, 0)
        self._params: frozenset[str] = frozenset()
        self._ids: dict[str, str | None] = {}
        self._lip_ids: tuple[str, ...] = ()
        self._groups: dict[str, str] = {}
        self._motion_serial: int | None = None
        self._expression: str | None = None
        self._placement: tuple[float, float, float] | None = None
        self._warned: set[str] = set()

    # ---- lifecycle (GL thread) ----

    def load(self, width: int, height: int) -> None:
        """Load the model and its textures into the current context.

        Raises:
            AvatarModelError: a required file (moc, texture) is missing or the model fails to load.
            GLUnavailableError: live2d-py is not installed.
            RenderError: other Live2D models are alive in a different GL context (live2d-py
                draws in one context at a time).
        """
        try:
            for warning in self.info.check_files():
                log.warning(warning)
        except ModelFileError as exc:
            raise AvatarModelError(exc.user_message) from exc
        self.release()
        live2d = acquire_gl()
        framebuffer = int(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING))
        model = live2d.Model()
        try:
            with native_stdout_to_stderr():
                model.LoadModelJson(str(self.path))
            params = frozenset(model.GetParamIds())
            if not params:
                raise AvatarModelError(f"{self.path.name} loaded without any parameters (broken moc?).")
        except Exception as exc:
            model = None
            release_gl()
            if isinstance(exc, AvatarModelError):
                raise
            # The extension raises plain RuntimeErrors.
            raise AvatarModelError(f"{self.path.name} could not be loaded by Live2D: {exc}") from exc
        finally:
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, framebuffer)  # Cubism 2 resets it to 0
        self._model = model
        self._params = params
        self._ids.clear()
        self._groups = {_group_key(g): g for g in model.GetMotionGroups()}
        wanted = self._lip_override if self._lip_override is not None else self.info.mouth_ids
        self._lip_ids = tuple(dict.fromkeys(r for r in map(self._resolve, wanted) if r))
        if not self._lip_ids:
            log.warning("%s has none of its lip-sync parameters %s", self.path.name, list(wanted))
        model.SetAutoBlink(self._auto_blink)
        model.SetAutoBreath(self._auto_breath)
        self._motion_serial = None
        self._expression = None
        self._placement = None
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        """Tell the model the viewport size in pixels (it keeps its aspect and fits the height)."""
        self._size = (max(1, width), max(1, height))
        if self._model is not None:
            self._model.Resize(*self._size)
            self._placement = None

    def release(self) -> None:
        """Drop the model and its GL resources (context current); idempotent."""
        model, self._model = self._model, None
        if model is not None:
            model.DestroyRenderer()
            release_gl()

    # ---- per frame (GL thread) ----

    def update(self, dt: float, state: AvatarState) -> None:
        """Advance by ``dt`` seconds and apply ``state``; the mouth is written last."""
        model = self._live()
        if state.motion is not None and state.motion.serial != self._motion_serial:
            self._motion_serial = state.motion.serial
            self._start_motion(state.motion)
        self._apply_expression(state)
        self._apply_placement(state)
        if self._idle and model.IsMotionFinished():
            idle = next((self._groups[g] for g in _IDLE_GROUPS if g in self._groups), None)
            if idle is not None:
                model.StartRandomMotion(idle, 1)
        model.Update(max(0.0, dt))
        for pid, value in state.params.items():
            self._set(pid, value)
        lx, ly = state.look
        for axis, table in ((lx, _LOOK_X), (ly, _LOOK_Y)):
            if axis:
                for pid, gain in table:
                    if (rid := self._resolve(pid)) is not None:
                        model.AddParamById(rid, axis * gain)
        self._apply_mouth(state.mouth)

    def draw(self) -> None:
        """Draw into the bound framebuffer (the caller clears it)."""
        model = self._live()
        if not self._v2:
            model.Draw()
            return
        framebuffer = int(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING))
        model.Draw()
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, framebuffer)  # Cubism 2 may leave 0 bound

    # ---- queries ----

    def expressions(self) -> list[str]:
        """Expression names (from the loaded model, else from the json)."""
        if self._model is not None:
            return [str(e) for e in self._model.GetExpressions()]
        return list(self.info.expression_names)

    def motion_groups(self) -> dict[str, int]:
        """Motion group -> number of motions."""
        if self._model is not None:
            return {str(k): int(v) for k, v in self._model.GetMotionGroups().items()}
        return {k: len(v) for k, v in self.info.motions.items()}

    @property
    def lip_sync_ids(self) -> tuple[str, ...]:
        """The parameters the mouth opening drives (known after :meth:`load`)."""
        return self._lip_ids

    @property
    def motion_playing(self) -> bool:
        """True while a motion (requested or idle) is playing."""
        return not self._live().IsMotionFinished()

    @property
    def parameter_ids(self) -> frozenset[str]:
        """Every parameter id of the loaded model."""
        return self._params

    def parameter(self, param_id: str) -> float:
        """Current value of a parameter (Cubism 3 ids are translated for Cubism 2 models)."""
        rid = self._resolve(param_id)
        if rid is None:
            raise KeyError(param_id)
        return float(self._live().GetParamValueById(rid))

    def hit_test(self, x: float, y: float) -> list[str]:
        """Hit areas (their names, e.g. ``Head``, ``Body``) under frame pixel ``(x, y)``, top-left origin."""
        model = self._live()
        # live2d-py matches Cubism 3+ areas by name and Cubism 2 areas by drawable id.
        return [a.key for a in self.info.hit_areas if model.IsAreaHit(a.id if self._v2 else a.key, x, y)]

    def hit_parts(self, x: float, y: float) -> list[str]:
        """Part ids under frame pixel ``(x, y)`` (finer than :meth:`hit_test`, for editors)."""
        return [str(p) for p in self._live().HitPart(x, y, False)]

    # ---- internals ----

    def _live(self) -> Any:
        if self._model is None:
            raise RenderError(f"The Live2D model {self.path.name} is not loaded.")
        return self._model

    def _resolve(self, param_id: str) -> str | None:
        """The model's id for ``param_id`` (translated to the Cubism 2 spelling), or None."""
        try:
            return self._ids[param_id]
        except KeyError:
            pass
        found: str | None = None
        if param_id in self._params:
            found = param_id
        elif self._v2 and (alt := v2_param_id(param_id)) in self._params:
            found = alt
        self._ids[param_id] = found
        return found

    def _set(self, param_id: str, value: float) -> None:
        if (rid := self._resolve(param_id)) is not None:
            self._model.SetParamById(rid, float(value), 1.0)

    def _apply_mouth(self, mouth: dict[str, float]) -> None:
        if not mouth:
            return  # no lip-sync source: motions keep the mouth
        model = self._model
        written: set[str] = set()
        for pid, value in mouth.items():
            if (rid := self._resolve(pid)) is not None:
                model.SetParamById(rid, float(value), 1.0)
                written.add(rid)
        opening = float(mouth.get(_OPEN, 0.0))
        vowels_given = any(mouth.get(v, 0.0) > 0.0 for v in _VOWELS)
        for rid in self._lip_ids:
            if vowels_given if rid in _VOWELS else rid in written:
                continue  # the source already set this parameter
            model.SetParamById(rid, opening, 1.0)

    def _apply_expression(self, state: AvatarState) -> None:
        wanted = state.expression if state.expression_weight > 0.0 else None
        if wanted == self._expression:
            return
        self._expression = wanted
        model = self._model
        if wanted is None:
            model.ResetExpression()
        elif wanted in self.expressions():
            model.SetExpression(wanted)
        else:
            self._warn_once(f"expression:{wanted}", "%s has no expression %r", self.path.name, wanted)
            model.ResetExpression()

    def _apply_placement(self, state: AvatarState) -> None:
        placement = (state.scale, *state.offset)
        if placement == self._placement:
            return
        self._placement = placement
        scale, fx, fy = placement
        width, height = self._size
        # Live2D's view units: the frame height spans 2 units, x uses the same unit; y points up.
        self._model.SetScale(max(0.01, scale))
        self._model.SetOffset(2.0 * fx * width / height, -2.0 * fy)

    def _start_motion(self, request: MotionRequest) -> None:
        group = self._groups.get(_group_key(request.group))
        if group is None:
            self._warn_once(
                f"motion:{request.group}", "%s has no motion group %r", self.path.name, request.group
            )
            return
        priority = min(3, max(1, request.priority))
        count = int(self._model.GetMotionCount(group))
        if 0 <= request.index < count:
            self._model.StartMotion(group, request.index, priority)
        else:
            self._model.StartRandomMotion(group, priority)

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)
