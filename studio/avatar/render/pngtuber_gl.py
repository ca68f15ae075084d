"""GL helpers of the PNGTuber renderer: its shader, sprite textures, a scratch target, GL state.

Threads: GL thread only (the owning context current), except :func:`premultiply` (pure).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

# After ``gl`` chose PyOpenGL's platform. The wrapped glVertexAttribPointer keeps a per-context
# reference to its array, looked up through the platform (GLX under Xvfb) even when an EGL
# context is current; with a buffer bound the pointer is only an offset, so the raw call fits.
from OpenGL.raw.GL.VERSION import GL_2_0 as _RAW_GL_2_0

from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL

raw_attrib_pointer = _RAW_GL_2_0.glVertexAttribPointer

__all__ = [
    "GlState",
    "ScratchTarget",
    "SpriteMesh",
    "compile_program",
    "gl_id",
    "premultiply",
    "raw_attrib_pointer",
    "set_filter",
    "upload_sprite",
]

VERTEX: Final = """#version 120
attribute vec2 a_pos;
attribute vec2 a_uv;
uniform vec2 u_size;
varying vec2 v_uv;
void main() {
    v_uv = a_uv;
    gl_Position = vec4(a_pos.x / u_size.x * 2.0 - 1.0, 1.0 - a_pos.y / u_size.y * 2.0, 0.0, 1.0);
}
"""
FRAGMENT: Final = """#version 120
uniform sampler2D u_tex;
uniform float u_alpha;
varying vec2 v_uv;
void main() { gl_FragColor = texture2D(u_tex, v_uv) * u_alpha; }
"""
_CAPS: Final = (GL.GL_DEPTH_TEST, GL.GL_CULL_FACE, GL.GL_SCISSOR_TEST, GL.GL_STENCIL_TEST)


def gl_id(value: Any) -> int:
    """A GL name or enum as int (PyOpenGL returns numpy scalars, arrays of one, or ints)."""
    return int(np.asarray(value).reshape(-1)[0])


def premultiply(rgba: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Straight -> premultiplied alpha (rounded), same shape. Pure; any thread."""
    a = rgba[..., 3:4].astype(np.uint16)
    out = np.empty_like(rgba)
    out[..., :3] = (rgba[..., :3].astype(np.uint16) * a + 127) // 255
    out[..., 3:] = rgba[..., 3:]
    return out


def _compile(kind: int, source: str) -> int:
    shader = gl_id(GL.glCreateShader(kind))
    GL.glShaderSource(shader, source)
    GL.glCompileShader(shader)
    if not GL.glGetShaderiv(shader, GL.GL_COMPILE_STATUS):
        info = GL.glGetShaderInfoLog(shader)
        GL.glDeleteShader(shader)
        raise RenderError(f"The PNGTuber shader does not compile here: {info!r}")
    return shader


def compile_program() -> tuple[int, dict[str, int]]:
    """The textured-quad program (attributes 0 = ``a_pos`` px, 1 = ``a_uv``) and its uniforms.

    Raises:
        RenderError: the driver rejects the shaders.
    """
    vs, fs = _compile(GL.GL_VERTEX_SHADER, VERTEX), _compile(GL.GL_FRAGMENT_SHADER, FRAGMENT)
    program = gl_id(GL.glCreateProgram())
    GL.glAttachShader(program, vs)
    GL.glAttachShader(program, fs)
    GL.glBindAttribLocation(program, 0, "a_pos")
    GL.glBindAttribLocation(program, 1, "a_uv")
    GL.glLinkProgram(program)
    GL.glDeleteShader(vs)
    GL.glDeleteShader(fs)
    if not GL.glGetProgramiv(program, GL.GL_LINK_STATUS):
        info = GL.glGetProgramInfoLog(program)
        GL.glDeleteProgram(program)
        raise RenderError(f"The PNGTuber shader does not link here: {info!r}")
    uniforms = {n: int(GL.glGetUniformLocation(program, n)) for n in ("u_size", "u_tex", "u_alpha")}
    return program, uniforms


def upload_sprite(rgba: npt.NDArray[np.uint8]) -> int:
    """A mipmapped, premultiplied RGBA8 texture of a straight-alpha sprite (binding restored)."""
    data = np.ascontiguousarray(premultiply(rgba))
    tex = gl_id(GL.glGenTextures(1))
    previous = gl_id(GL.glGetIntegerv(GL.GL_TEXTURE_BINDING_2D))
    GL.glBindTexture(GL.GL_TEXTURE_2D, tex)
    GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 1)
    height, width = data.shape[:2]
    GL.glTexImage2D(GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, width, height, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, data)
    GL.glGenerateMipmap(GL.GL_TEXTURE_2D)
    for param, value in (
        (GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR_MIPMAP_LINEAR),
        (GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR),
        (GL.GL_TEXTURE_WRAP_S, GL.GL_CLAMP_TO_EDGE),
        (GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE),
    ):
        GL.glTexParameteri(GL.GL_TEXTURE_2D, param, value)
    GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 4)
    GL.glBindTexture(GL.GL_TEXTURE_2D, previous)
    return tex


def set_filter(textures: set[int], mipmaps: bool) -> None:
    """Trilinear (``mipmaps``) or plain bilinear minification for ``textures``.

    Bilinear costs about half as much on software GL (llvmpipe) and is sharp enough while the
    sprites are shown at 60 % of their size or more; smaller than that, mipmaps avoid shimmer.
    """
    mode = GL.GL_LINEAR_MIPMAP_LINEAR if mipmaps else GL.GL_LINEAR
    previous = gl_id(GL.glGetIntegerv(GL.GL_TEXTURE_BINDING_2D))
    for tex in textures:
        GL.glBindTexture(GL.GL_TEXTURE_2D, tex)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, mode)
    GL.glBindTexture(GL.GL_TEXTURE_2D, previous)


class SpriteMesh:
    """A sprite as a grid of :data:`CELL` px cells, keeping only cells with any coverage.

    Drawing only those cells skips the transparent parts of each sprite's bounding box (the
    face hole in the front hair, the space around clips and effects), which is most of the cost
    on software GL. Neighbouring cells share grid points computed once, so edges meet exactly:
    no seams and no pixel drawn twice.
    """

    CELL: Final = 32

    def __init__(self, alpha: npt.NDArray[np.uint8]) -> None:
        h, w = alpha.shape
        cs = self.CELL
        xs = np.append(np.arange(0, w, cs), w).astype(np.float64)
        ys = np.append(np.arange(0, h, cs), h).astype(np.float64)
        gx, gy = len(xs) - 1, len(ys) - 1
        padded = np.zeros((gy * cs, gx * cs), np.uint8)
        padded[:h, :w] = alpha
        covered = padded.reshape(gy, cs, gx, cs).max(axis=(1, 3)) > 0
        iy, ix = np.nonzero(covered)
        tl = iy * (gx + 1) + ix
        bl = tl + gx + 1
        self.index = np.stack([tl, tl + 1, bl + 1, tl, bl + 1, bl], axis=1).reshape(-1)
        grid_x, grid_y = np.meshgrid(xs, ys)
        self.local = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1)
        self.uv = (self.local / (w, h))[self.index].astype(np.float32)
        self.size = (w, h)

    @property
    def count(self) -> int:
        """Vertices (6 per kept cell)."""
        return int(self.index.size)

    def vertices(self, quad: tuple[float, ...], out: npt.NDArray[np.float32]) -> None:
        """Write (x, y, u, v) of every vertex into ``out`` for the sprite placed on ``quad``."""
        x0, y0, x1, y1, _x2, _y2, x3, y3 = quad
        w, h = self.size
        axes = np.array([[(x1 - x0) / w, (y1 - y0) / w], [(x3 - x0) / h, (y3 - y0) / h]])
        grid = self.local @ axes + (x0, y0)
        out[:, :2] = grid[self.index]
        out[:, 2:] = self.uv


class ScratchTarget:
    """A frame-sized RGBA8 texture + FBO where a cross-fade is summed before compositing."""

    def __init__(self) -> None:
        self.fbo = self.texture = 0
        self.size = (0, 0)

    def ensure(self, width: int, height: int) -> None:
        """(Re)allocate for a ``width`` x ``height`` frame; no-op when already that size.

        Raises:
            RenderError: the driver rejects the framebuffer.
        """
        if self.size == (width, height) and self.fbo:
            return
        if not self.texture:
            self.texture = gl_id(GL.glGenTextures(1))
            self.fbo = gl_id(GL.glGenFramebuffers(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, width, height, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None
        )
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_NEAREST)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_NEAREST)
        previous = gl_id(GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING))
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, self.fbo)
        GL.glFramebufferTexture2D(
            GL.GL_DRAW_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self.texture, 0
        )
        status = gl_id(GL.glCheckFramebufferStatus(GL.GL_DRAW_FRAMEBUFFER))
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, previous)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise RenderError(f"The driver rejected the cross-fade framebuffer ({status:#x}).")
        self.size = (width, height)

    def release(self) -> None:
        """Delete the FBO and texture; idempotent."""
        if self.fbo:
            GL.glDeleteFramebuffers(1, [self.fbo])
            GL.glDeleteTextures([self.texture])
        self.fbo = self.texture = 0
        self.size = (0, 0)


class GlState:
    """The bits of GL state the renderer changes, captured so they can be put back."""

    def __init__(self, *, with_vao: bool) -> None:
        get = GL.glGetIntegerv
        self.with_vao = with_vao
        self.active = gl_id(get(GL.GL_ACTIVE_TEXTURE))
        GL.glActiveTexture(GL.GL_TEXTURE0)
        self.texture = gl_id(get(GL.GL_TEXTURE_BINDING_2D))
        self.program = gl_id(get(GL.GL_CURRENT_PROGRAM))
        self.vao = gl_id(get(GL.GL_VERTEX_ARRAY_BINDING)) if with_vao else 0
        self.buffer = gl_id(get(GL.GL_ARRAY_BUFFER_BINDING))
        self.draw_fbo = gl_id(get(GL.GL_DRAW_FRAMEBUFFER_BINDING))
        self.viewport = [int(v) for v in np.asarray(get(GL.GL_VIEWPORT)).reshape(-1)[:4]]
        self.scissor = [int(v) for v in np.asarray(get(GL.GL_SCISSOR_BOX)).reshape(-1)[:4]]
        self.blend = bool(GL.glIsEnabled(GL.GL_BLEND))
        self.blend_func = [
            gl_id(get(e))
            for e in (GL.GL_BLEND_SRC_RGB, GL.GL_BLEND_DST_RGB, GL.GL_BLEND_SRC_ALPHA, GL.GL_BLEND_DST_ALPHA)
        ]
        self.caps = {cap: bool(GL.glIsEnabled(cap)) for cap in _CAPS}

    @staticmethod
    def disable_caps() -> None:
        """Depth, culling, scissor and stencil off: sprites are plain 2D quads."""
        for cap in _CAPS:
            GL.glDisable(cap)

    def restore(self) -> None:
        """Put everything back as captured."""
        if not self.with_vao:
            GL.glDisableVertexAttribArray(0)
            GL.glDisableVertexAttribArray(1)
        GL.glActiveTexture(GL.GL_TEXTURE0)
        GL.glBindTexture(GL.GL_TEXTURE_2D, self.texture)
        GL.glActiveTexture(self.active)
        GL.glBindBuffer(GL.GL_ARRAY_BUFFER, self.buffer)
        if self.with_vao:
            GL.glBindVertexArray(self.vao)
        GL.glUseProgram(self.program)
        GL.glBindFramebuffer(GL.GL_DRAW_FRAMEBUFFER, self.draw_fbo)
        GL.glViewport(*self.viewport)
        GL.glScissor(*self.scissor)
        GL.glBlendFuncSeparate(*self.blend_func)
        (GL.glEnable if self.blend else GL.glDisable)(GL.GL_BLEND)
        for cap, on in self.caps.items():
            (GL.glEnable if on else GL.glDisable)(cap)
