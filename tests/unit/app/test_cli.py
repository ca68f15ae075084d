"""The ``studio`` command: version, help, gui without a display, doctor, bench."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from studio import __version__
from studio.app.cli import cli

DOCTOR_CHECKS = {
    "python", "packages", "folders", "config", "video encoder", "OpenGL/EGL", "display", "audio", "secrets",
    "api port", "models",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"Cream Studio, version {__version__}"


def test_version_through_python_dash_m() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "studio", "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 0
    assert __version__ in proc.stdout


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_the_commands(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:")[1]
    for name in ("serve", "doctor", "bench", "gui"):
        assert f"  {name}" in commands
    assert "--home" in result.stdout


def test_serve_help_mentions_port_and_host() -> None:
    result = run("serve", "--help")
    assert result.exit_code == 0
    assert "--port" in result.stdout
    assert "--host" in result.stdout


@pytest.mark.parametrize("args", [("gui",), ()])
def test_gui_without_a_display_points_to_serve(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert "No display found" in result.stderr
    assert "studio serve" in result.stderr


def _doctor_json(*args: str) -> tuple[int, dict[str, dict[str, str]]]:
    result = run(*args, "doctor", "--json", "--port", str(_free_port()))
    checks = json.loads(result.stdout)
    assert all(set(c) == {"name", "status", "detail"} for c in checks)
    return result.exit_code, {c["name"]: c for c in checks}


def test_doctor_passes_on_this_machine_with_warnings(studio_home: Path) -> None:
    code, checks = _doctor_json()
    assert set(checks) == DOCTOR_CHECKS
    assert code == 0, [c for c in checks.values() if c["status"] == "fail"]
    assert all(c["status"] in ("pass", "warn") for c in checks.values())
    assert not [c for c in checks.values() if "check crashed" in c["detail"]]
    assert checks["display"]["status"] == "warn"
    assert "studio serve" in checks["display"]["detail"]
    assert checks["audio"]["status"] in ("warn", "pass")
    assert checks["folders"]["status"] == "pass"
    assert str(studio_home / "config") in checks["folders"]["detail"]
    assert checks["api port"]["status"] == "pass"
    assert checks["secrets"]["status"] == "warn"  # the file backend is forced in tests


def test_doctor_report_for_a_person() -> None:
    result = run("doctor", "--port", str(_free_port()))
    assert result.exit_code == 0
    assert "[WARN] display" in result.stdout
    assert "[PASS] python" in result.stdout
    assert result.stdout.rstrip().endswith("0 failed")


def test_doctor_fails_when_the_folders_cannot_be_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "profile"
    not_a_folder.write_text("a regular file where STUDIO_HOME should be a folder")
    monkeypatch.setenv("STUDIO_HOME", str(not_a_folder))
    code, checks = _doctor_json()
    assert code == 1
    assert checks["folders"]["status"] == "fail"
    assert "Cannot create the folder" in checks["folders"]["detail"]
    assert set(checks) == DOCTOR_CHECKS  # the other checks still ran


def test_doctor_warns_about_a_taken_port() -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        result = run("doctor", "--json", "--port", str(port))
    check = next(c for c in json.loads(result.stdout) if c["name"] == "api port")
    assert check["status"] == "warn"
    assert "in use" in check["detail"]


def test_doctor_reports_config_problems(studio_home: Path) -> None:
    (studio_home / "config").mkdir(parents=True)
    (studio_home / "config" / "config.toml").write_text("version = 1\n[api]\nport = 99999\n")
    code, checks = _doctor_json()
    assert code == 0
    assert checks["config"]["status"] == "warn"
    assert "api.port" in checks["config"]["detail"]
    assert not list((studio_home / "config").glob("*.bak"))  # the doctor only looks


def test_home_option_moves_the_profile(tmp_path: Path) -> None:
    code, checks = _doctor_json("--home", str(tmp_path / "elsewhere"))
    assert code == 0
    assert str(tmp_path / "elsewhere" / "data") in checks["folders"]["detail"]
    assert (tmp_path / "elsewhere" / "logs").is_dir()


def test_bench_storage_json() -> None:
    result = run("bench", "storage", "--rows", "50", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    expected = {"rows", "full_vs_normal_ratio"} | {
        f"{mode}_{metric}" for mode in ("full", "normal") for metric in ("writes_per_s", "p50_ms", "p99_ms")
    }
    assert set(data) == expected
    assert data["rows"] == 50
    for mode in ("full", "normal"):
        assert data[f"{mode}_writes_per_s"] > 0
        assert 0 < data[f"{mode}_p50_ms"] <= data[f"{mode}_p99_ms"]
    assert data["full_vs_normal_ratio"] > 0


def test_bench_storage_text_and_bad_rows() -> None:
    result = run("bench", "storage", "--rows", "5")
    assert result.exit_code == 0
    assert "full_writes_per_s" in result.stdout
    bad = CliRunner().invoke(cli, ["bench", "storage", "--rows", "0"])
    assert bad.exit_code == 2
    assert "--rows" in bad.stderr
