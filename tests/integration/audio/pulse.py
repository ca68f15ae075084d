"""A private, user-mode PulseAudio server with a null sink: a real-time paced "sound card" for tests.

The sink is kept rendering by a loopback from a silent null source (see
:meth:`PulseServer._wait_rendering` for why).

ALSA reaches it through ``tests/fixtures/alsa/pulse.conf`` (the ALSA pulse plugin from Debian
``libasound2-plugins``); recordings come from the sink's monitor with ``pacat --record``.
Needs Debian ``pulseaudio`` and ``pulseaudio-utils``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

SINK = "studio_null"


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the scenario process dies (no orphan daemons)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "alsa"


def missing() -> str:
    """Why a PulseAudio test cannot run here; empty when it can."""
    for tool in ("pulseaudio", "pacat"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian pulseaudio pulseaudio-utils)"
    if not glob.glob("/usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so") and not glob.glob(
        "/usr/lib/alsa-lib/libasound_module_pcm_pulse.so"
    ):
        return "ALSA pulse plugin not installed (Debian libasound2-plugins)"
    if not glob.glob("/usr/lib/*/libportaudio.so.2") and not glob.glob("/usr/lib/libportaudio.so.2"):
        return "PortAudio not installed (Debian libportaudio2)"
    return ""


class PulseServer:
    """``pulseaudio`` in the foreground with only a null sink and a unix socket, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runtime = root / "pulse-runtime"
        self.home = root / "pulse-home"
        self.socket = self.runtime / "native"
        self.proc: subprocess.Popen[bytes] | None = None
        self._ready = threading.Event()
        self.log: list[str] = []

    @property
    def server(self) -> str:
        """Value for PULSE_SERVER / the ALSA plugin's ``server``."""
        return f"unix:{self.socket}"

    def env(self) -> dict[str, str]:
        """Environment for a process that plays through this server via ALSA."""
        return {
            "ALSA_CONFIG_PATH": str(FIXTURES / "pulse.conf"),
            "STUDIO_TEST_PULSE_SERVER": self.server,
            "PULSE_SERVER": self.server,
        }

    def start(self, timeout: float = 15.0) -> None:
        """Start the daemon and wait for "Daemon startup complete."."""
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
        }
        self._ready.clear()
        self.proc = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--disable-shm=yes",
                "--log-target=stderr",
                "--log-level=info",
                "-L",
                f"module-null-sink sink_name={SINK} rate=48000 channels=2",
                "-L",
                "module-null-source source_name=studio_silence rate=48000 channels=2",
                "-L",
                f"module-loopback source=studio_silence sink={SINK} latency_msec=10",
                "-L",
                f"module-native-protocol-unix socket={self.socket} auth-anonymous=1",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (only prctl before exec)
        )
        threading.Thread(target=self._drain, args=(self.proc,), daemon=True).start()
        if not self._ready.wait(timeout) or self.proc.poll() is not None:
            self.kill()
            raise RuntimeError("pulseaudio did not start: " + " | ".join(self.log[-5:]))
        self._wait_rendering(timeout)

    def _wait_rendering(self, timeout: float) -> None:
        """Wait until the null sink renders (its monitor delivers data).

        A fresh null sink sleeps through its first 2 s block before it honours any client's latency;
        a stream opened meanwhile gets no callbacks (PortAudio then looks like a dead device). The
        loopback from a null source keeps the sink rendering in 10 ms steps from then on.
        """
        probe = subprocess.Popen(
            [
                "pacat",
                "--record",
                "--raw",
                f"--server={self.server}",
                f"--device={SINK}.monitor",
                "--latency-msec=10",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert probe.stdout is not None
            readable, _, _ = select.select([probe.stdout], [], [], timeout)
            if not readable:
                raise RuntimeError("the PulseAudio null sink did not start rendering")
        finally:
            probe.kill()
            probe.wait(timeout=10)

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            if "Daemon startup complete" in line:
                self._ready.set()
        self._ready.set()  # exited: unblock start(), which then sees the dead process

    def kill(self) -> None:
        """SIGKILL the daemon (a sound card yanked out) and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        """Terminate the daemon politely and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None


class MonitorRecorder:
    """Records the null sink's monitor (mono float32 at 48 kHz) and when each piece arrived.

    ``arrivals`` holds ``(monotonic time of the read, total samples received after it)``: a sample
    was played by the sink no later than the arrival time of the read that delivered it.
    """

    def __init__(self, pulse: PulseServer) -> None:
        self._proc = subprocess.Popen(
            [
                "pacat",
                "--record",
                "--raw",
                f"--server={pulse.server}",
                f"--device={SINK}.monitor",
                "--format=float32le",
                "--rate=48000",
                "--channels=1",
                "--latency-msec=2",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 (only prctl before exec)
        )
        self._chunks: list[bytes] = []
        self.arrivals: list[tuple[float, int]] = []
        self.flowing = threading.Event()
        self._bytes = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while True:
            data = os.read(fd, 1 << 16)
            t = time.monotonic()
            if not data:
                return
            self._chunks.append(data)
            self._bytes += len(data)
            self.arrivals.append((t, self._bytes // 4))
            self.flowing.set()

    def stop(self) -> bytes:
        """Stop recording; returns everything recorded (raw float32 mono)."""
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._thread.join(timeout=10)
        data = b"".join(self._chunks)
        return data[: len(data) // 4 * 4]

    def arrival_of(self, sample_index: int) -> float:
        """Monotonic time at which recorded sample ``sample_index`` had arrived."""
        for t, total in self.arrivals:
            if total > sample_index:
                return t
        raise IndexError(sample_index)
