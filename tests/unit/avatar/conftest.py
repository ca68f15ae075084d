"""Avatar test setup: one headless EGL context per session, made current per test.

The context is made current on the test's thread for each test and released afterwards, so
other tests (GUI tests with Qt's contexts) are never disturbed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.avatar.render.egl import EglContext
from studio.avatar.render.errors import GLUnavailableError


@pytest.fixture(scope="session")
def egl_context() -> Iterator[EglContext]:
    """A session-wide headless context (skips when this machine has no EGL/Mesa)."""
    try:
        context = EglContext()
    except GLUnavailableError as exc:
        pytest.skip(f"no headless OpenGL here: {exc.user_message}")
    yield context
    context.close()


@pytest.fixture
def gl(egl_context: EglContext) -> Iterator[EglContext]:
    """The session context, current on this test's thread for the test."""
    egl_context.make_current()
    yield egl_context
    egl_context.release()
