"""An offscreen framebuffer the avatar is drawn into, with asynchronous readback.

:class:`OffscreenTarget` owns an FBO (RGBA8 colour texture + depth/stencil renderbuffer) and a
ring of pixel-pack buffers (PBOs). :meth:`OffscreenTarget.read_async` starts copying the frame just
drawn into one PBO and maps the one filled a call earlier, so the CPU copy of frame N-1 overlaps
the GPU work of frame N instead of stalling on it. Frames come back as ``(height, width, 4)``
``uint8`` RGBA arrays with the top row first (GL's origin is bottom-left; the flip is free, it is
part of the one copy out of the mapped buffer). Colours are premultiplied by alpha, as Live2D
blends them; with the transparent clear colour the alpha channel is the avatar's coverage.

Threads: GL thread only (the thread where the owning context is current), like every GL object.
"""

from __future__ import annotations

import ctypes
from collections import deque
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from studio.avatar.render.errors import RenderError
from studio.avatar.render.gl import GL, raw_read_pixels

__all__ = ["CHROMA_GREEN", "TRANSPARENT", "Frame", "OffscreenTarget"]

Frame = npt.NDArray[np.uint8]
"""An RGBA frame, shape ``(height, width, 4)``, row 0 at the top."""

Color = tuple[float, float, float, float]

TRANSPARENT: Final[Color] = (0.0, 0.0, 0.0, 0.0)
"""Clear colour for alpha output (OBS capture with alpha, compositing)."""

CHROMA_GREEN: Final[Color] = (0.0, 1.0, 0.0, 1.0)
"""Clear colour for chroma keying (#00FF00)."""

_MAX_SIZE: Final = 8192


def _gl_id(value: Any) -> int:
    """A GL object name or enum as int (PyOpenGL returns numpy scalars, arrays of one, or ints)."""
    return int(np.asarray(value).reshape(-1)[0])


class OffscreenTarget:
    """An RGBA8 framebuffer of ``width`` x ``height`` with PBO readback.

    Create, use and release it with its GL context current.

    Args:
        width: Pixels, 1..8192.
        height: Pixels, 1..8192.
        clear_color: RGBA 0..1 used by :meth:`clear` (:data:`TRANSPARENT`, :data:`CHROMA_GREEN` ...).
        pbo_count: PBOs in the readback ring (2 or 3); :meth:`read_async` returns frames
            ``pbo_count - 1`` calls late.

    Raises:
        RenderError: bad size, or the driver rejects the framebuffer.
    """

    def __init__(
        self, width: int, height: int, *, clear_color: Color = TRANSPARENT, pbo_count: int = 2
    ) -> None:
        if not 2 <= pbo_count <= 3:
            raise ValueError("pbo_count must be 2 or 3")
        self.clear_color: Color = clear_color
        self._pbo_count = pbo_count
        self._fbo = self._color = self._depth = 0
        self._pbos: list[int] = []
        self._pending: deque[int] = deque()
        self._next = 0
        self.width = self.height = 0
        self._allocate(width, height)

    # ---- lifecycle ----

    def _allocate(self, width: int, height: int) -> None:
        if not (0 < width <= _MAX_SIZE and 0 < height <= _MAX_SIZE):
            raise RenderError(f"Render size {width}x{height} is out of range (1..{_MAX_SIZE}).")
        previous = _gl_id(GL.glGetIntegerv(GL.GL_FRAMEBUFFER_BINDING))
        self.width, self.height = width, height
        self._color = _gl_id(GL.glGenTextures(1))
        GL.glBindTexture(GL.GL_TEXTURE_2D, self._color)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MIN_FILTER, GL.GL_LINEAR)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_MAG_FILTER, GL.GL_LINEAR)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_WRAP_S, GL.GL_CLAMP_TO_EDGE)
        GL.glTexParameteri(GL.GL_TEXTURE_2D, GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE)
        GL.glTexImage2D(
            GL.GL_TEXTURE_2D, 0, GL.GL_RGBA8, width, height, 0, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, None
        )
        GL.glBindTexture(GL.GL_TEXTURE_2D, 0)
        self._depth = _gl_id(GL.glGenRenderbuffers(1))
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, self._depth)
        GL.glRenderbufferStorage(GL.GL_RENDERBUFFER, GL.GL_DEPTH24_STENCIL8, width, height)
        GL.glBindRenderbuffer(GL.GL_RENDERBUFFER, 0)
        self._fbo = _gl_id(GL.glGenFramebuffers(1))
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo)
        GL.glFramebufferTexture2D(
            GL.GL_FRAMEBUFFER, GL.GL_COLOR_ATTACHMENT0, GL.GL_TEXTURE_2D, self._color, 0
        )
        GL.glFramebufferRenderbuffer(
            GL.GL_FRAMEBUFFER, GL.GL_DEPTH_STENCIL_ATTACHMENT, GL.GL_RENDERBUFFER, self._depth
        )
        status = _gl_id(GL.glCheckFramebufferStatus(GL.GL_FRAMEBUFFER))
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, previous)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            self._free()
            raise RenderError(f"The driver rejected a {width}x{height} RGBA8 framebuffer ({status:#x}).")
        buffers = np.atleast_1d(GL.glGenBuffers(self._pbo_count))
        self._pbos = [int(b) for b in buffers]
        for pbo in self._pbos:
            GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, pbo)
            GL.glBufferData(GL.GL_PIXEL_PACK_BUFFER, self.nbytes, None, GL.GL_STREAM_READ)
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, 0)
        self._pending.clear()
        self._next = 0

    def _free(self) -> None:
        if self._pbos:
            GL.glDeleteBuffers(len(self._pbos), self._pbos)
            self._pbos = []
        if self._fbo:
            GL.glDeleteFramebuffers(1, [self._fbo])
        if self._depth:
            GL.glDeleteRenderbuffers(1, [self._depth])
        if self._color:
            GL.glDeleteTextures([self._color])
        self._fbo = self._color = self._depth = 0
        self._pending.clear()

    def resize(self, width: int, height: int) -> None:
        """Reallocate at a new size; frames still in flight are dropped. No-op for the same size."""
        if (width, height) == (self.width, self.height) and self._fbo:
            return
        self._free()
        self._allocate(width, height)

    def release(self) -> None:
        """Delete the GL objects (context current); idempotent."""
        self._free()

    # ---- drawing ----

    @property
    def fbo(self) -> int:
        """The framebuffer object name (0 once released)."""
        return self._fbo

    @property
    def color_texture(self) -> int:
        """The RGBA8 colour texture (e.g. to draw the avatar into a Qt view)."""
        return self._color

    @property
    def nbytes(self) -> int:
        """Bytes of one frame."""
        return self.width * self.height * 4

    def bind(self) -> None:
        """Bind the FBO for drawing and set the viewport to the whole target."""
        if not self._fbo:
            raise RenderError("The offscreen target was released.")
        GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, self._fbo)
        GL.glViewport(0, 0, self.width, self.height)

    def clear(self, color: Color | None = None) -> None:
        """Bind and clear colour, depth and stencil (``color`` defaults to :attr:`clear_color`)."""
        self.bind()
        GL.glClearColor(*(color or self.clear_color))
        GL.glClear(GL.GL_COLOR_BUFFER_BIT | GL.GL_DEPTH_BUFFER_BIT | GL.GL_STENCIL_BUFFER_BIT)

    # ---- readback ----

    def read(self) -> Frame:
        """Read the current contents now (waits for the GPU): for tests, snapshots, thumbnails."""
        self._bind_read()
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, 0)
        raw = np.empty((self.height, self.width, 4), np.uint8)
        raw_read_pixels(
            0,
            0,
            self.width,
            self.height,
            GL.GL_RGBA,
            GL.GL_UNSIGNED_BYTE,
            raw.ctypes.data_as(ctypes.c_void_p),
        )
        return np.ascontiguousarray(raw[::-1])

    def read_async(self) -> Frame | None:
        """Start reading the current contents and return the frame started ``pbo_count - 1`` calls ago.

        Returns ``None`` until the ring has filled (the first call with 2 PBOs). Call it once per
        rendered frame after drawing; :meth:`flush` collects the frames still in flight.
        """
        self._bind_read()
        pbo = self._pbos[self._next]
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, pbo)
        raw_read_pixels(0, 0, self.width, self.height, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE, ctypes.c_void_p(0))
        self._pending.append(pbo)
        self._next = (self._next + 1) % self._pbo_count
        frame = self._map(self._pending.popleft()) if len(self._pending) >= self._pbo_count else None
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, 0)
        return frame

    def flush(self) -> list[Frame]:
        """Frames still in flight, oldest first (at the end of a stream, or before a resize)."""
        frames = [self._map(self._pending.popleft()) for _ in range(len(self._pending))]
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, 0)
        return frames

    @property
    def in_flight(self) -> int:
        """Readbacks started and not yet returned."""
        return len(self._pending)

    def _bind_read(self) -> None:
        if not self._fbo:
            raise RenderError("The offscreen target was released.")
        GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, self._fbo)

    def _map(self, pbo: int) -> Frame:
        GL.glBindBuffer(GL.GL_PIXEL_PACK_BUFFER, pbo)
        address = GL.glMapBufferRange(GL.GL_PIXEL_PACK_BUFFER, 0, self.nbytes, GL.GL_MAP_READ_BIT)
        pointer = address.value if isinstance(address, ctypes.c_void_p) else address
        if not pointer:
            raise RenderError("Mapping the readback buffer failed.")
        try:
            mapped = np.ctypeslib.as_array((ctypes.c_uint8 * self.nbytes).from_address(int(pointer)))
            out = np.empty((self.height, self.width, 4), np.uint8)
            out[...] = mapped.reshape(self.height, self.width, 4)[::-1]  # one copy, flipped
        finally:
            GL.glUnmapBuffer(GL.GL_PIXEL_PACK_BUFFER)
        return out

    def __repr__(self) -> str:
        return f"OffscreenTarget({self.width}x{self.height}, fbo={self._fbo}, pbos={self._pbo_count})"
