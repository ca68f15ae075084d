"""A real RTMP server for tests: nginx with the RTMP module, started in a temporary folder.

:class:`NginxRtmpServer` runs ``nginx`` in the foreground (one process, ``master_process off``)
on a free loopback port with one application ``live`` that records every published stream to
FLV files. It can be stopped and restarted on the same port, which is how tests take the server
away under a live stream. :class:`TlsFront` puts a TLS listener (self-signed certificate) in front
of it so ``rtmps://`` can be tested too (FFmpeg's TLS does not verify certificates by default).

Tests that need nginx/ffprobe call :func:`require_rtmp_tools` / :func:`require_ffprobe`, which
skip with a reason saying what to install instead of failing or passing silently.

Thread affinity: the server and the TLS front are controlled from the test's thread; both run
as child processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Final

__all__ = [
    "NGINX_RTMP_MODULE",
    "NginxRtmpServer",
    "TlsFront",
    "ffprobe_json",
    "free_port",
    "missing_rtmp_tools",
    "require_ffprobe",
    "require_rtmp_tools",
]

NGINX_RTMP_MODULE: Final = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
_INSTALL_HINT: Final = "install Debian nginx-light libnginx-mod-rtmp ffmpeg (scripts/bootstrap --dev)"


def missing_rtmp_tools() -> list[str]:
    """What is missing to run :class:`NginxRtmpServer` and probe its recordings (empty: all there)."""
    missing = [tool for tool in ("nginx", "ffprobe") if shutil.which(tool) is None]
    if not NGINX_RTMP_MODULE.exists():
        missing.append(str(NGINX_RTMP_MODULE))
    return missing


def require_rtmp_tools() -> None:
    """Skip the calling test (with the reason) when nginx, its RTMP module or ffprobe is missing."""
    missing = missing_rtmp_tools()
    if missing:
        import pytest

        pytest.skip(f"RTMP test server unavailable: missing {', '.join(missing)}; {_INSTALL_HINT}")


def require_ffprobe() -> None:
    """Skip the calling test (with the reason) when ffprobe is missing."""
    if shutil.which("ffprobe") is None:
        import pytest

        pytest.skip(f"ffprobe not found; {_INSTALL_HINT}")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ffprobe_json(path: Path | str, *, packets: bool = False) -> dict[str, Any]:
    """``ffprobe`` a media file: streams (codec, size, rates, start, duration) and the format duration.

    Args:
        path: The file.
        packets: Also list every packet (``stream_index``, ``pts_time``, ``dts_time``, ``flags``).

    Raises:
        RuntimeError: ffprobe failed (its error text is in the message).
    """
    entries = (
        "stream=index,codec_type,codec_name,width,height,r_frame_rate,avg_frame_rate,"
        "sample_rate,channels,start_time,duration,nb_frames:format=duration,format_name"
    )
    if packets:
        entries += ":packet=stream_index,pts_time,dts_time,flags"
    cmd = ["ffprobe", "-v", "error", "-show_entries", entries, "-of", "json"]
    if packets:
        cmd.append("-show_packets")
    result = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffprobe {path} failed: {result.stderr.strip()}")
    data: dict[str, Any] = json.loads(result.stdout or "{}")
    return data


class NginxRtmpServer:
    """nginx + RTMP module on ``127.0.0.1:port``, application ``live``, recording every stream.

    Args:
        tmp_dir: A folder of its own (config, logs, pid and recordings go here).
        port: Listening port (default: a free one; kept across :meth:`restart`).
        start_timeout: Seconds to wait for the port to accept connections.
    """

    def __init__(self, tmp_dir: Path, port: int | None = None, *, start_timeout: float = 10.0) -> None:
        self.dir = Path(tmp_dir)
        self.port = port or free_port()
        self.record_dir = self.dir / "records"
        self._timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The ingest URL (no stream key): ``rtmp://127.0.0.1:PORT/live``."""
        return f"rtmp://127.0.0.1:{self.port}/live"

    @property
    def error_log(self) -> Path:
        """nginx's error log (the RTMP module logs publishes here)."""
        return self.dir / "error.log"

    @property
    def running(self) -> bool:
        """The nginx process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The nginx process id while it runs (tests freeze it with SIGSTOP)."""
        return self._proc.pid if self.running and self._proc is not None else None

    def recordings(self) -> list[Path]:
        """The FLV files recorded so far, oldest first."""
        if not self.record_dir.exists():
            return []
        return sorted(self.record_dir.glob("*.flv"), key=lambda p: (p.stat().st_mtime, p.name))

    def _write_config(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.record_dir.mkdir(exist_ok=True)
        self.record_dir.chmod(0o777)  # in case nginx ever drops privileges
        conf = self.dir / "nginx.conf"
        conf.write_text(
            f"load_module {NGINX_RTMP_MODULE};\n"
            "master_process off;\n"  # one process: signals and kills reach everything
            "daemon off;\n"
            f"pid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.error_log} info;\n"
            "events { worker_connections 64; }\n"
            "rtmp {\n"
            "  server {\n"
            f"    listen 127.0.0.1:{self.port};\n"
            "    chunk_size 4096;\n"
            "    application live {\n"
            "      live on;\n"
            "      record all;\n"
            f"      record_path {self.record_dir};\n"
            "      record_unique on;\n"
            "    }\n"
            "  }\n"
            "}\n",
            encoding="utf-8",
        )
        return conf

    def start(self) -> None:
        """Start nginx and wait until the port accepts connections.

        Raises:
            RuntimeError: nginx exited or did not listen in time (its error log is in the message).
        """
        if self.running:
            return
        conf = self._write_config()
        self._proc = subprocess.Popen(
            ["nginx", "-p", str(self.dir), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                self._proc = None
                raise RuntimeError(f"nginx exited at start: {err.strip()} {self._log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"nginx did not listen on {self.port} in {self._timeout} s: {self._log_tail()}")

    def stop(self, timeout: float = 5.0) -> None:
        """Shut down gracefully (SIGQUIT: recordings are closed), else terminate, else kill."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(2.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5.0)
        self._close_proc(proc)

    def kill(self) -> None:
        """End nginx at once (SIGKILL): connections vanish without an RTMP goodbye."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
            proc.wait(5.0)
        self._close_proc(proc)

    def restart(self, down_s: float = 0.0) -> None:
        """Stop, stay down ``down_s`` seconds, start again on the same port."""
        self.stop()
        if down_s > 0:
            time.sleep(down_s)
        self.start()

    def publishers(self) -> list[str]:
        """Stream names published so far (from the error log)."""
        text = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        names = []
        for line in text.splitlines():
            if "publish: name='" in line:
                names.append(line.split("publish: name='", 1)[1].split("'", 1)[0])
        return names

    def _close_proc(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.stderr is not None:
            proc.stderr.close()
        self._proc = None

    def _log_tail(self) -> str:
        if not self.error_log.exists():
            return ""
        return " | ".join(self.error_log.read_text(errors="replace").splitlines()[-5:])

    def __enter__(self) -> NginxRtmpServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def self_signed_context(tmp_dir: Path, host: str = "127.0.0.1") -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for ``host`` (files in ``tmp_dir``)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), False)
        .sign(key, hashes.SHA256())
    )
    tmp_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = tmp_dir / "cert.pem", tmp_dir / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    os.chmod(key_path, 0o600)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


class TlsFront:
    """A TLS listener forwarding plain bytes to ``127.0.0.1:backend_port`` (rtmps:// -> rtmp://).

    It runs in a child process: PyAV holds the GIL during its RTMP/TLS handshake, so a forwarder
    in the test's own process could never answer it (a deadlock).

    Args:
        tmp_dir: Where the certificate files and the connection log go.
        backend_port: The RTMP server's port.
    """

    def __init__(self, tmp_dir: Path, backend_port: int) -> None:
        self.port = free_port()
        self.dir = Path(tmp_dir)
        self._backend = backend_port
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The ingest URL over TLS: ``rtmps://127.0.0.1:PORT/live``."""
        return f"rtmps://127.0.0.1:{self.port}/live"

    @property
    def connections(self) -> int:
        """TLS connections accepted so far."""
        log = self.dir / "connections.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def start(self, timeout: float = 10.0) -> None:
        """Start the child process and return once the port accepts connections."""
        self_signed_context(self.dir)  # writes cert.pem / key.pem
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "studio.testing.rtmp", str(self.dir), str(self.port), str(self._backend)]
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("TLS front did not start")

    def stop(self) -> None:
        """End the child process (and every forwarded connection)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def __enter__(self) -> TlsFront:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


async def _serve_tls_front(folder: Path, port: int, backend: int) -> None:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")

    async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except (OSError, ssl.SSLError):
            pass
        finally:
            dst.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with (folder / "connections.log").open("a") as f:
            f.write("connection\n")
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(handle, "127.0.0.1", port, ssl=ctx)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":  # the TLS front's child process: FOLDER PORT BACKEND_PORT
    asyncio.run(_serve_tls_front(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
