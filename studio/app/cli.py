"""The ``studio`` command.

``studio`` opens the GUI; ``studio serve`` runs the engine and API headless; ``studio doctor``
checks the machine; ``studio bench ...`` measures. ``--home``/``STUDIO_HOME`` keeps every file of a
profile in one folder.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sys
import threading
import time
from types import FrameType

import click

from studio import __version__
from studio.app.paths import HOME_ENV
from studio.core.errors import PortInUseError, StudioError


def _apply_home(home: str | None) -> None:
    if home:
        os.environ[HOME_ENV] = os.path.abspath(os.path.expanduser(home))


def has_display() -> bool:
    """True when a GUI can be shown (X11/Wayland on Linux; always on Windows and macOS)."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="Cream Studio")
@click.option(
    "--home",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Keep config, data, cache and logs in this folder (same as ${HOME_ENV}).",
)
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Cream Studio: an AI VTuber studio.

    Without a command, opens the studio window (needs a display; use `studio serve` without one).
    """
    _apply_home(home)
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui)


@cli.command()
def gui() -> None:
    """Open the studio window (the default command)."""
    if not has_display():
        raise click.ClickException(
            "No display found (DISPLAY/WAYLAND_DISPLAY unset). Run `studio serve` for headless mode."
        )
    # Imported by name: the GUI (Qt) is only loaded when asked for.
    gui_main = importlib.import_module("studio.ui.gui_main")
    sys.exit(gui_main.run())


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default from config: 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=None, help="API port (default from config: 8765)."
)
def serve(host: str | None, port: int | None) -> None:
    """Run the engine and the local API without a window. Ctrl-C or SIGTERM stops it cleanly."""
    from studio.app.container import Container
    from studio.app.runtime import EngineRuntime

    try:
        container = Container.build()
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    for problem in container.config_problems:
        click.echo(f"config: {problem}", err=True)
    runtime = EngineRuntime(container, serve_api=True, host=host, port=port, warm_up_speech=True)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            runtime.start()
        except PortInUseError as exc:
            container.close()
            click.echo(f"Error: {exc.user_message}", err=True)
            sys.exit(2)
        except StudioError as exc:
            container.close()
            raise click.ClickException(exc.user_message) from exc
        click.echo(f"Cream Studio {__version__} is running headless.")
        click.echo(f"API:  {runtime.api_url}   (docs: {runtime.api_url}/api-docs)")
        click.echo(f"Logs: {container.logs.log_file}")
        click.echo("Press Ctrl-C to stop.", err=True)
        while not stop.wait(0.5):
            if runtime.wait_stopped(0):
                break
        click.echo("Stopping ...", err=True)
        started = time.monotonic()
        clean = runtime.stop(timeout=3.0)
        container.close()
        left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
        click.echo(f"Stopped in {time.monotonic() - started:.2f} s; threads left: {len(left)}", err=True)
        if not clean or left:
            click.echo(f"Warning: still running: {', '.join(left)}", err=True)
            sys.exit(1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="API port to check (default from config)."
)
def doctor(as_json: bool, port: int | None) -> None:
    """Check this machine: Python and packages, OpenGL/EGL, display, audio, keyring, ports, folders, models.

    Prints pass/warn/fail per check; exits with 1 if any check fails.
    """
    from studio.app.doctor import print_report, run_checks

    results = run_checks(port=port)
    print_report(results, as_json=as_json)
    sys.exit(1 if any(r.status == "fail" for r in results) else 0)


@cli.group()
def secrets() -> None:
    """Store API keys and stream keys in the OS keyring (or the encrypted fallback file).

    Known names: tts.openai_api_key. Values are never printed, logged or written to config files.
    """


@secrets.command("set")
@click.argument("name")
@click.option(
    "--stdin", "from_stdin", is_flag=True, help="Read the value from standard input instead of a prompt."
)
def secrets_set(name: str, from_stdin: bool) -> None:
    """Store the secret NAME (the value is asked for, hidden)."""
    from studio.app.paths import StudioPaths

    value = sys.stdin.readline().rstrip("\r\n") if from_stdin else click.prompt(name, hide_input=True)
    if not value:
        raise click.ClickException(
            "Empty value; nothing stored. Use `studio secrets delete` to remove a secret."
        )
    paths = StudioPaths.resolve()
    paths.ensure()
    store = paths.secret_store()
    try:
        store.set(name, value)
    except StudioError as exc:
        raise click.ClickException(exc.user_message) from exc
    click.echo(f"Stored {name} in {store.info.name}.")


@secrets.command("delete")
@click.argument("name")
def secrets_delete(name: str) -> None:
    """Remove the secret NAME."""
    from studio.app.paths import StudioPaths

    paths = StudioPaths.resolve()
    store = paths.secret_store()
    click.echo(f"Removed {name}." if store.delete(name) else f"{name} was not set.")


@cli.group()
def bench() -> None:
    """Benchmarks (speed and memory targets are checked here, not in timed tests)."""


@bench.command("storage")
@click.option("--rows", type=click.IntRange(1, 1_000_000), default=2000, help="Rows to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def bench_storage(rows: int, as_json: bool) -> None:
    """Acknowledged (committed) event-log writes per second, FULL vs NORMAL sync, in a temp folder."""
    from studio.app.benchmarks import storage_benchmark

    result = storage_benchmark(rows)
    if as_json:
        import json

        click.echo(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            click.echo(f"{key:>28}: {value}")


def _register() -> None:
    from studio.app.avatar_cli import avatar
    from studio.app.bench_stream import bench_stream
    from studio.app.demo_cli import demo
    from studio.app.render_cli import bench_render
    from studio.app.speech_cli import bench_tts, say
    from studio.app.user_cli import token, user

    cli.add_command(say)
    cli.add_command(avatar)
    cli.add_command(demo)
    cli.add_command(user)
    cli.add_command(token)
    bench.add_command(bench_tts)
    bench.add_command(bench_render)
    bench.add_command(importlib.import_module("studio.app.bench_api").bench_api)
    bench.add_command(bench_stream)
    bench.add_command(importlib.import_module("studio.app.bench_turn").bench_turn)


_register()


def main() -> None:
    """Console-script entry point."""
    # The audio callback needs the interpreter lock every ~10 ms; with busy Python threads on two
    # cores the default 5 ms switch interval starves it (measured: underruns). 1 ms keeps it fed.
    sys.setswitchinterval(0.001)
    try:
        cli()
    except SystemExit as exc:
        _leave(exc)
        raise


def _leave(exc: SystemExit) -> None:
    """Exit without finalising the interpreter while a model thread is still in native code."""
    from studio.inference.host import busy_model_threads

    busy = busy_model_threads(timeout=2.5)
    if not busy:
        return
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    print(f"(leaving while {', '.join(busy)} finishes its work)", file=sys.stderr)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
