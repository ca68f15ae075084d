"""The PNGTuber renderer: layered sprites as textured quads (the built-in Cream, or a user's set).

:class:`PngTuberRenderer` implements :class:`~studio.avatar.render.base.AvatarRenderer`.
Animation lives in :mod:`studio.avatar.pngtuber` (Qt/GL-free); this module only uploads each
sprite once as a mipmapped texture with premultiplied alpha and draws the frame's ops with one
tiny GLSL 1.20 program (compatibility profile, also fine on macOS's GL 2.1), blending
``ONE, ONE_MINUS_SRC_ALPHA``. The framebuffer therefore receives premultiplied colour, like
Live2D's output; the caller clears it (transparent, chroma green ...).

An expression cross-fade (ops sharing a ``group``) is drawn exactly: its ops are summed with
their weights (additive blending) into a scratch texture the size of the frame, limited by a
scissor to the group's bounds, and that sum is composited over the frame once. Drawing them
one over the other would let the face show through mid-fade.

GL state: the renderer binds its own program, vertex array (when the context has VAOs),
buffer and textures, sets blending, viewport and scissor, and restores what it changed (and the
caller's framebuffer) before :meth:`PngTuberRenderer.draw` returns.

Threads: GL thread only (the owning context current), like every renderer.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from studio.avatar.pngtuber import MOTIONS, DrawOp, PngTuberAnimator, hit_layers, layout
from studio.avatar.pngtuber_model import PngTuberModel
from studio.avatar.pngtuber_sets import load_pngtuber
from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL
from studio.avatar.render.pngtuber_gl import (
    GlState,
    ScratchTarget,
    SpriteMesh,
    compile_program,
    gl_id,
    raw_attrib_pointer,
    set_filter,
    upload_sprite,
)
from studio.avatar.state import AvatarState

__all__ = ["PngTuberRenderer"]

log = logging.getLogger(__name__)

_MIPMAP_BELOW: Final = 0.6  # sprites drawn smaller than this use mipmaps (see set_filter)


class PngTuberRenderer:
    """A PNGTuber avatar implementing :class:`~studio.avatar.render.base.AvatarRenderer`.

    Args:
        source: A loaded model, or a folder (a ``manifest.json`` model or a user image set, see
            :func:`~studio.avatar.pngtuber_sets.load_pngtuber`); ``None`` = the built-in Cream.
        seed: Seed of the blink timer.
        resources_dir: Where the built-in avatar lives (``StudioPaths.resources_dir``).

    Threads: GL thread only. The model loads (from disk) in :meth:`load` unless given loaded.
    """

    def __init__(
        self,
        source: PngTuberModel | Path | None = None,
        *,
        seed: int = 0,
        resources_dir: Path | None = None,
    ) -> None:
        self._source = source
        self._seed = seed
        self._resources = resources_dir
        self._model: PngTuberModel | None = source if isinstance(source, PngTuberModel) else None
        self._animator: PngTuberAnimator | None = None
        self._size = (1, 1)
        self._state = AvatarState()
        self._ops: list[DrawOp] = []
        self._textures: dict[str, int] = {}
        self._meshes: dict[str, SpriteMesh] = {}
        self._mipmaps: bool | None = None
        self._program = self._vbo = self._vao = 0
        self._uniforms: dict[str, int] = {}
        self._scratch = ScratchTarget()

    # ---- lifecycle (GL thread, context current) ----

    @property
    def model(self) -> PngTuberModel:
        """The model (loads it from disk on first use)."""
        if self._model is None:
            folder = self._source if isinstance(self._source, Path) else None
            self._model = load_pngtuber(folder, resources_dir=self._resources)
        return self._model

    @property
    def animator(self) -> PngTuberAnimator:
        """The animation state (blink timer, fades, bounce)."""
        if self._animator is None:
            self._animator = PngTuberAnimator(self.model, seed=self._seed)
        return self._animator

    @property
    def ops(self) -> list[DrawOp]:
        """The draw ops of the last :meth:`update`."""
        return self._ops

    def load(self, width: int, height: int) -> None:
        """Load the model, compile the program and upload every sprite (context current).

        Raises:
            PngTuberModelError: the model folder is invalid.
            RenderError: the driver refuses the shader.
        """
        model = self.model
        self._size = (max(1, width), max(1, height))
        if not self._program:
            self._program, self._uniforms = compile_program()
            self._vbo = gl_id(GL.glGenBuffers(1))
            self._vao = self._make_vao()
        if self._textures:  # loaded before: replace, do not leak
            GL.glDeleteTextures(sorted(set(self._textures.values())))
            self._textures.clear()
        names: dict[int, tuple[int, SpriteMesh]] = {}
        for name, sprite in model.sprites.items():
            key = id(sprite.rgba)  # sprites sharing one image share one texture
            if key not in names:
                names[key] = (upload_sprite(sprite.rgba), SpriteMesh(sprite.rgba[..., 3]))
            self._textures[name], self._meshes[name] = names[key]
        self._mipmaps = None
        self._relayout()

    def resize(self, width: int, height: int) -> None:
        """The frame is now ``width`` x ``height`` pixels."""
        self._size = (max(1, width), max(1, height))
        self._relayout()

    def reset(self) -> None:
        """Restart the animation: time 0, no fade or bounce in progress, the blink timer re-seeded."""
        self._animator = None
        self._relayout()

    def release(self) -> None:
        """Delete textures, program, buffers (context current); idempotent."""
        textures = sorted(set(self._textures.values()))
        if textures:
            GL.glDeleteTextures(textures)
        self._textures.clear()
        self._meshes.clear()
        self._scratch.release()
        if self._vbo:
            GL.glDeleteBuffers(1, [self._vbo])
        if self._vao:
            GL.glDeleteVertexArrays(1, [self._vao])
        if self._program:
            GL.glDeleteProgram(self._program)
        self._program = self._vbo = self._vao = 0

    # ---- per frame ----

    def update(self, dt: float, state: AvatarState) -> None:
        """Advance the animation by ``dt`` seconds towards ``state`` and lay out the frame."""
        self._state = state
        self.animator.update(dt, state)
        self._relayout()

    def draw(self) -> None:
        """Draw the last laid-out frame into the bound framebuffer (not cleared here)."""
        if not self._program:
            raise RenderError("The PNGTuber renderer is not loaded.")
        ops = self._ops
        if not ops:
            return
        width, height = self._size
        groups = self._groups(ops)
        counts = [self._meshes[op.sprite].count for op in ops] + [6] * len(groups)
        firsts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(int).tolist()
        verts = np.empty((sum(counts), 4), np.float32)
        for i, op in enumerate(ops):
            self._meshes[op.sprite].vertices(op.quad, verts[firsts[i] : firsts[i] + counts[i]])
        boxes = []
        for k, (start, end) in enumerate(groups):
            x0, y0, x1, y1 = self._bounds(ops[start:end])
            boxes.append((x0, y0, x1, y1))
            corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y0), (x1, y1), (x0, y1)]
            first = firsts[len(ops) + k]
            verts[first : first + 6] = [(x, y, x / width, 1.0 - y / height) for x, y in corners]
        ranges = list(zip(firsts, counts, strict=True))
        self._choose_filter()
        saved = GlState(with_vao=bool(self._vao))
        try:
            self._bind_pipeline(verts)
            i, k = 0, 0
            while i < len(ops):
                if k < len(groups) and groups[k][0] == i:
                    start, end = groups[k]
                    self._draw_group(ops, ranges, start, end, ranges[len(ops) + k], boxes[k], saved.draw_fbo)
                    i, k = end, k + 1
                    continue
                self._draw_op(ranges[i], self._textures[ops[i].sprite], ops[i].alpha)
                i += 1
        finally:
            saved.restore()

    # ---- queries ----

    def expressions(self) -> list[str]:
        """Expression names of the model (the default one first)."""
        model = self.model
        return [model.default_expression, *(e for e in model.expressions if e != model.default_expression)]

    def motion_groups(self) -> dict[str, int]:
        """The procedural motions (``Idle``, ``Hop``, ``Nod``, ``Shake``), one motion each."""
        return dict.fromkeys(MOTIONS, 1)

    def hit_test(self, x: float, y: float) -> list[str]:
        """Hit areas (``Head``, ``Body`` ...) under frame pixel (x, y), top-left origin."""
        model = self.model
        areas: list[str] = []
        for layer in hit_layers(model, self._ops, x, y):
            area = model.area_of(layer)
            if area is not None and area not in areas:
                areas.append(area)
        return areas

    # ---- internals ----

    def _relayout(self) -> None:
        if self._model is None:
            return
        s = self._state
        self._ops = layout(self.model, self.animator.pose, *self._size, s.scale, s.offset)

    @staticmethod
    def _groups(ops: list[DrawOp]) -> list[tuple[int, int]]:
        """(start, end) index ranges of cross-fade groups with two or more ops."""
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(ops):
            j = i + 1
            if ops[i].group is not None:
                while j < len(ops) and ops[j].group == ops[i].group:
                    j += 1
                if j - i > 1:
                    out.append((i, j))
            i = j
        return out

    @staticmethod
    def _make_vao() -> int:
        if not bool(GL.glGenVertexArrays):
            return 0  # a GL 2.1 context: attributes live in the default state
        try:
            return gl_id(GL.glGenVertexArrays(1))
        except Exception:
            return 0

    def _bounds(self, ops: list[DrawOp]) -> tuple[int, int, int, int]:
        xs = [v for op in ops for v in op.quad[0::2]]
        ys = [v for op in ops for v in op.quad[1::2]]
        width, height = self._size
        x0, y0 = max(0, int(min(xs)) - 1), max(0, int(min(ys)) - 1)
        x1, y1 = min(width, int(max(xs)) + 2), min(height, int(max(ys)) + 2)
        return x0, y0, max(x0, x1), max(y0, y1)

    def _bind_pipeline(self, verts: npt.NDArray[np.float32]) -> None:
        width, height = self._size
        GL.glUseProgram(self._program)
        if self._vao:
            GL.glBindVertexArray(self._vao)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self._vbo)
        GL.glBufferData(GL.GL_ARRAY_BUFFER, verts.nbytes, verts, GL.GL_STREAM_DRAW)
        GL.glEnableVertexAttribArray(0)
        GL.glEnableVertexAttribArray(1)
        raw_attrib_pointer(0, 2, GL.GL_FLOAT, GL.GL_FALSE, 16, ctypes.c_void_p(0))
        raw_attrib_pointer(1, 2, GL.GL_FLOAT, GL.GL_FALSE, 16, ctypes.c_void_p(8))
        GL.glUniform2f(self._uniforms["u_size"], float(width), float(height))
        GL.glUniform1i(self._uniforms["u_tex"], 0)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glViewport(0, 0, width, height)
        GlState.disable_caps()
        GL.glEnable(GL.GL_BLEND)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)

    def _choose_filter(self) -> None:
        state = self._state
        shown = min(self._size[0] / self.model.canvas[0], self._size[1] / self.model.canvas[1]) * state.scale
        mipmaps = shown < _MIPMAP_BELOW
        if mipmaps != self._mipmaps:
            set_filter(set(self._textures.values()), mipmaps)
            self._mipmaps = mipmaps

    def _draw_op(self, span: tuple[int, int], texture: int, alpha: float) -> None:
        GL.glBindTexture(GL.GL_TEXTURE_2D, texture)
        GL.glUniform1f(self._uniforms["u_alpha"], float(alpha))
        GL.glDrawArrays(GL.GL_TRIANGLES, span[0], span[1])

    def _draw_group(
        self,
        ops: list[DrawOp],
        ranges: list[tuple[int, int]],
        start: int,
        end: int,
        quad: tuple[int, int],
        box: tuple[int, int, int, int],
        target: int,
    ) -> None:
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            return
        width, height = self._size
        self._scratch.ensure(width, height)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, self._scratch.fbo)
        GL.glEnable(GL.GL_SCISSOR_TEST)
        GL.glScissor(x0, height - y1, x1 - x0, y1 - y0)
        GL.glClearBufferfv(GL.GL_COLOR, 0, (ctypes.c_float * 4)(0.0, 0.0, 0.0, 0.0))
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE)  # weights sum to 1: an exact weighted average
        for i in range(start, end):
            self._draw_op(ranges[i], self._textures[ops[i].sprite], ops[i].alpha)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, target)
        GL.glBlendFunc(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
        self._draw_op(quad, self._scratch.texture, 1.0)
        GL.glDisable(GL.GL_SCISSOR_TEST)
