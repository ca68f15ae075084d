"""The microphone front end: echo cancellation -> echo gate -> VAD, without threads.

:class:`SpeechFrontEnd` is what the listener's DSP thread runs on every block, and what tests drive
directly with arrays: feed the speaker reference and the microphone, 16 kHz mono, in step.

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
        source: ``source`` of the events.
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
        source: str = "mic",
    ) -> None:
        self.echo = EchoCanceller(echo_cancellation=echo_cancellation, stream_delay_ms=stream_delay_ms)
        self.gate = EchoGate(
            margin_db=margin_db,
            initial_coupling=1.0,  # no attenuation assumed until the residual echo is measured
            block_while_playing=not barge_in,
        )
        self.vad = VoiceActivity(vad_model, params, bus, source)
        self.level = 0.0  # RMS of the last cleaned block (meter)

    def process(self, mic: Frames, reference: Frames | None) -> FrontEndResult:
        """Feed the reference heard since the last call (or ``None``) and the microphone block."""
        if reference is not None and len(reference):
            self.echo.far_end(reference)
            self.gate.observe_reference(reference)
        cleaned = self.echo.near_end(mic)
        if reference is None:
            self.gate.observe_reference(None, len(cleaned) // FRAME)
        if len(cleaned):
            self.level = float(np.sqrt(np.mean(np.square(cleaned))))
        return FrontEndResult(cleaned, self.vad.process(cleaned, self.gate))
