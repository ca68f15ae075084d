"""The microphone front end: echo cancellation -> echo gate -> VAD, without threads.

:class:`SpeechFrontEnd` is what the listener's DSP thread runs on every block, and what tests drive
directly with arrays: feed the speaker reference and the microphone, 16 kHz mono, in step.

The echo gate measures where in the reference the echo in the microphone comes from. When that lag
jumps (a device dropped or repeated a block, common on a loaded machine), the front end drops or
pads the far end it feeds the canceller by as much, so the delay the canceller sees stays the same
and it need not re-converge (hundreds of ms of echo let through, or the user's voice suppressed).

Thread affinity: one thread (the listener's DSP thread, or a test).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.audio.echo import FRAME, EchoCanceller, EchoGate
from studio.audio.ring import Frames
from studio.core.bus import EventBus
from studio.speech.vad.silero import VadModel, VadParams, VadUpdate, VoiceActivity


@dataclass(frozen=True, slots=True)
class FrontEndResult:
    """One block through the front end: the cleaned microphone audio and the VAD's verdict."""

    cleaned: Frames
    vad: VadUpdate


class SpeechFrontEnd:
    """Echo cancellation, the echo-relative barge-in gate and voice activity on 16 kHz audio.

    Args:
        vad_model: The VAD model.
        params: VAD hysteresis.
        bus: Where :class:`~studio.core.events.UserSpeechEvent` goes.
        echo_cancellation: Use WebRTC AEC (noise suppression and high-pass stay on either way).
        margin_db: The gate's margin above the echo estimate.
        barge_in: False rejects all speech while the studio plays.
        stream_delay_ms: Delay hint for the echo canceller.
        capture_delay_ms: How long the microphone is held back so the far end reaches the canceller
            before its echo (see :class:`~studio.audio.echo.EchoCanceller`).
        source: ``source`` of the events.

    Reset the VAD with :meth:`reset` (not ``vad.reset()``): the front end tracks which microphone
    samples each VAD frame holds, for the echo gate.
    """

    def __init__(
        self,
        vad_model: VadModel,
        params: VadParams,
        bus: EventBus | None = None,
        *,
        echo_cancellation: bool = True,
        margin_db: float = 6.0,
        barge_in: bool = True,
        stream_delay_ms: int = 0,
        capture_delay_ms: int = 50,
        source: str = "mic",
    ) -> None:
        self.echo = EchoCanceller(
            echo_cancellation=echo_cancellation,
            stream_delay_ms=stream_delay_ms,
            capture_delay_ms=capture_delay_ms,
        )
        self.gate = EchoGate(
            margin_db=margin_db,
            initial_coupling=1.0,  # no attenuation assumed until the residual echo is measured
            block_while_playing=not barge_in,
        )
        self.vad = VoiceActivity(vad_model, params, bus, source)
        self.level = 0.0  # RMS of the last cleaned block (meter)
        self._cleaned = 0  # cleaned samples produced so far
        self._vad_rest = 0  # of those, the partial frame the VAD holds for its next call
        self._lag: tuple[int | None, int] = (None, 0)  # the gate's echo lag, calls it held
        self._base_lag: int | None = None  # the lag the canceller's far end is aligned to
        self._far_shift = 0  # far-end samples to drop (> 0) or pad (< 0) before the next block

    def process(self, mic: Frames, reference: Frames | None) -> FrontEndResult:
        """Feed the reference heard since the last call (or ``None``) and the microphone block."""
        if reference is not None and len(reference):
            self.echo.far_end(self._aligned(reference))
            self.gate.observe_reference(reference)
        cleaned = self.echo.near_end(mic)
        self.gate.observe_microphone(self.echo.last_input)
        if reference is None:
            self.gate.observe_reference(None, len(cleaned) // FRAME)
        if len(cleaned):
            self.level = float(np.sqrt(np.mean(np.square(cleaned))))
        self.gate.sync(self._cleaned - self._vad_rest)  # where the VAD's next frame starts
        self._cleaned += len(cleaned)
        self._vad_rest = (self._vad_rest + len(cleaned)) % self.vad.model.frame_size
        return FrontEndResult(cleaned, self.vad.process(cleaned, self.gate))

    def _aligned(self, far: Frames, held: int = 3, tolerance: int = 64) -> Frames:
        """The far end for the canceller, shifted by every jump of the echo lag (see the module)."""
        lag, calls = self._lag
        calls = calls + 1 if self.gate.echo_lag == lag else 1
        self._lag = (self.gate.echo_lag, calls)
        if self.gate.echo_lag is not None and calls == held:  # the gate's lag held: a real one
            if self._base_lag is None:
                self._base_lag = self.gate.echo_lag
            jump = self.gate.echo_lag - self._base_lag
            if abs(jump) > tolerance:  # echo of later reference: drop far end; earlier: pad it
                self._far_shift += jump
                self._base_lag = self.gate.echo_lag
        if self._far_shift > 0:
            drop = min(self._far_shift, len(far))
            self._far_shift -= drop
            return far[drop:]
        if self._far_shift < 0:
            far, self._far_shift = np.concatenate((np.zeros(-self._far_shift, far.dtype), far)), 0
        return far

    def reset(self) -> None:
        """Forget the VAD's state and buffered audio (mode change); an open utterance ends."""
        self.vad.reset()
        self._vad_rest = 0
