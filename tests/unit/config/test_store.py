"""ConfigStore: defaults, round trips, atomic writes, env overrides, per-area fallback, upgrades."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from studio.config import store as store_mod
from studio.config.settings import CONFIG_VERSION, ApiSettings, LoggingSettings, StudioConfig, UiSettings
from studio.config.store import ConfigStore, atomic_write, upgrade_raw
from studio.core.errors import ConfigError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


def _backups(path: Path, tag: str = "") -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.{tag}*.bak"))


def _only_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_missing_file_gives_defaults_and_writes_nothing(path: Path) -> None:
    result = ConfigStore(path).load()
    assert result.problems == []
    assert result.upgraded_from is None
    assert result.config == StudioConfig()
    assert result.config.api.port == 8765
    assert result.config.ui.theme == "system"
    assert not path.exists()


def test_round_trip(path: Path) -> None:
    store = ConfigStore(path)
    config = store.load().config
    config.api.port = 9000
    config.api.allowed_origins = ["https://example.com"]
    config.ui.theme = "dark"
    config.storage.synchronous = "NORMAL"
    store.save(config)

    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["version"] == CONFIG_VERSION
    assert raw["api"]["port"] == 9000

    again = ConfigStore(path).load()
    assert again.problems == []
    assert again.config == config
    assert again.config.api.allowed_origins == ["https://example.com"]


def test_save_area_replaces_one_area(path: Path) -> None:
    store = ConfigStore(path)
    config = store.load().config
    updated = store.save_area(config, UiSettings(theme="light", language="ja"))
    assert updated.ui.theme == "light"
    assert config.ui.theme == "system"  # the original object is not changed
    assert ConfigStore(path).load().config.ui.language == "ja"


def test_save_is_atomic_and_owner_only(path: Path) -> None:
    store = ConfigStore(path)
    config = store.load().config
    for port in (9001, 9002, 9003):
        config.api.port = port
        store.save(config)
    assert _only_files(path.parent) == ["config.toml"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ConfigStore(path).load().config.api.port == 9003


def test_atomic_write_failure_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()  # os.replace onto a directory fails after the temp file was written
    (target / "keep").write_text("x")
    with pytest.raises(OSError):
        atomic_write(target, b"new contents")
    assert _only_files(tmp_path) == ["target"]
    assert (target / "keep").read_text() == "x"


def test_save_to_an_unwritable_place_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the config folder should be")
    store = ConfigStore(blocker / "config.toml")
    with pytest.raises(ConfigError, match="Cannot write"):
        store.save(StudioConfig())


def test_environment_beats_the_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('version = 1\n[api]\nport = 9000\nhost = "127.0.0.2"\n', encoding="utf-8")
    monkeypatch.setenv("STUDIO_API_PORT", "9100")
    monkeypatch.setenv("STUDIO_UI_THEME", "dark")
    config = ConfigStore(path).load().config
    assert config.api.port == 9100
    assert config.api.host == "127.0.0.2"  # not overridden: the file value stays
    assert config.ui.theme == "dark"
    monkeypatch.delenv("STUDIO_API_PORT")
    assert ConfigStore(path).load().config.api.port == 9000


def test_list_settings_from_the_environment_as_json(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_API_ALLOWED_ORIGINS", '["https://a.example", "https://b.example"]')
    assert ConfigStore(path).load().config.api.allowed_origins == ["https://a.example", "https://b.example"]


def test_broken_environment_override_is_reported(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_API_PORT", "not-a-port")
    result = ConfigStore(path).load()
    keys = [p.key for p in result.problems]
    assert "api.port" in keys
    assert any("(environment)" in p.message for p in result.problems)
    assert result.config.ui == UiSettings()  # other areas unaffected


@pytest.mark.parametrize(
    ("toml", "key", "area"),
    [
        ("[api]\nport = 99999\n", "api.port", "api"),
        ('[ui]\ntheme = "pink"\n', "ui.theme", "ui"),
        ('[logging]\nlevel = "LOUD"\n', "logging.level", "logging"),
        ('[api]\nhost = "  "\n', "api.host", "api"),
    ],
)
def test_invalid_value_names_the_key(path: Path, toml: str, key: str, area: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("version = 1\n" + toml, encoding="utf-8")
    result = ConfigStore(path).load()
    assert [p.key for p in result.problems] == [key]
    assert key in str(result.problems[0])
    assert f"using defaults for [{area}]" in result.problems[0].message
    assert result.config.area(area) == type(result.config.area(area))()


def test_invalid_area_falls_back_while_other_areas_keep_file_values(path: Path) -> None:
    original = (
        'version = 1\n[api]\nport = 99999\nhost = "127.0.0.9"\n'
        '[ui]\ntheme = "dark"\nlanguage = "ja"\n[storage]\nsynchronous = "NORMAL"\n'
    )
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    store = ConfigStore(path)
    result = store.load()
    assert [p.key for p in result.problems] == ["api.port"]
    assert result.config.api == ApiSettings()  # the whole [api] area falls back
    assert result.config.api.host == "127.0.0.1"
    assert result.config.ui.theme == "dark"
    assert result.config.ui.language == "ja"
    assert result.config.storage.synchronous == "NORMAL"
    assert _backups(path) == []  # nothing written yet

    store.save(result.config)
    backups = _backups(path, "invalid")
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == original
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved["api"]["port"] == 8765
    assert saved["ui"]["theme"] == "dark"

    store.save(result.config)  # the backup is taken once, not on every save
    assert len(_backups(path)) == 1
    assert ConfigStore(path).load().problems == []


def test_unknown_keys_are_reported_and_kept_in_a_backup(path: Path) -> None:
    original = "version = 1\n[api]\nprot = 9000\nport = 9001\n[plugins_from_the_future]\nx = 1\n"
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    store = ConfigStore(path)
    result = store.load()
    assert [(p.key, p.message) for p in result.problems] == [
        ("api.prot", "unknown setting, ignored"),
        ("plugins_from_the_future", "unknown section, ignored"),
    ]
    assert result.config.api.port == 9001
    store.save(result.config)
    # the typo would be lost on save: the original is kept
    assert [b.read_text(encoding="utf-8") for b in _backups(path)] == [original]


def test_area_that_is_not_a_table(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('version = 1\napi = 5\n[ui]\ntheme = "light"\n', encoding="utf-8")
    result = ConfigStore(path).load()
    assert [p.key for p in result.problems] == ["api"]
    assert result.config.api == ApiSettings()
    assert result.config.ui.theme == "light"


def test_unparsable_toml_gives_defaults_a_problem_and_a_backup(path: Path) -> None:
    original = "[api\nport = = 3\n"
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    store = ConfigStore(path)
    result = store.load()
    assert result.config == StudioConfig()
    assert [p.key for p in result.problems] == ["config.toml"]
    assert "cannot be read" in result.problems[0].message
    store.save(result.config)
    assert [b.read_text(encoding="utf-8") for b in _backups(path, "invalid")] == [original]
    assert ConfigStore(path).load().problems == []


def test_non_utf8_file_is_a_problem_not_a_crash(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'[ui]\ntheme = "\xff\xfe"\n')
    result = ConfigStore(path).load()
    assert [p.key for p in result.problems] == ["config.toml"]
    assert result.config == StudioConfig()


def test_file_from_a_newer_studio_is_a_problem(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(f'version = {CONFIG_VERSION + 1}\n[ui]\ntheme = "dark"\n', encoding="utf-8")
    result = ConfigStore(path).load()
    assert [p.key for p in result.problems] == ["version"]
    assert "newer Cream Studio" in result.problems[0].message
    assert result.config == StudioConfig()
    assert result.upgraded_from is None


def test_bad_version_value_is_a_problem(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('version = "one"\n', encoding="utf-8")
    result = ConfigStore(path).load()
    assert [p.key for p in result.problems] == ["version"]
    assert "whole number" in result.problems[0].message


def test_version_0_file_is_upgraded_rewritten_and_backed_up(path: Path) -> None:
    original = '[api]\nport = 9300\n\n[ui]\ntheme = "light"\n'  # written before versioning: no version key
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    result = ConfigStore(path).load()
    assert result.upgraded_from == 0
    assert result.problems == []
    assert result.config.api.port == 9300
    assert result.config.ui.theme == "light"
    rewritten = tomllib.loads(path.read_text(encoding="utf-8"))
    assert rewritten["version"] == 1
    assert rewritten["api"]["port"] == 9300
    backups = _backups(path, "v0-")
    assert [b.read_text(encoding="utf-8") for b in backups] == [original]
    again = ConfigStore(path).load()
    assert again.upgraded_from is None
    assert len(_backups(path)) == 1


def test_upgrade_raw_runs_each_step_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "CONFIG_VERSION", 3)
    calls: list[int] = []

    def v0(raw: dict) -> dict:
        calls.append(0)
        theme = raw.pop("colour")
        return {**raw, "ui": {"theme": theme}}

    def v1(raw: dict) -> dict:
        calls.append(1)
        raw["api"] = {"port": raw["api_port"]}
        del raw["api_port"]
        return raw

    def v2(raw: dict) -> dict:
        calls.append(2)
        raw["ui"]["language"] = "en"
        return raw

    table = {0: v0, 1: v1, 2: v2}
    raw, start = upgrade_raw({"colour": "dark", "api_port": 9000}, table)
    assert calls == [0, 1, 2]
    assert start == 0
    assert raw == {"version": 3, "ui": {"theme": "dark", "language": "en"}, "api": {"port": 9000}}

    calls.clear()
    raw, start = upgrade_raw({"version": 2, "ui": {}}, table)
    assert calls == [2]
    assert start == 2
    assert raw["version"] == 3

    calls.clear()
    raw, start = upgrade_raw({"version": 3, "ui": {"theme": "light"}}, table)
    assert calls == []
    assert start is None


def test_upgrade_raw_input_is_not_mutated() -> None:
    raw = {"ui": {"theme": "dark"}}
    upgraded, start = upgrade_raw(raw)
    assert start == 0
    assert upgraded["version"] == CONFIG_VERSION
    assert "version" not in raw


def test_upgrade_raw_missing_step_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "CONFIG_VERSION", 3)
    with pytest.raises(ConfigError, match="no upgrade from config version 1") as info:
        upgrade_raw({"version": 0}, {0: lambda raw: raw})
    assert info.value.key == "version"


def test_upgrade_raw_rejects_newer_and_negative_versions() -> None:
    with pytest.raises(ConfigError, match="newer"):
        upgrade_raw({"version": CONFIG_VERSION + 5})
    with pytest.raises(ConfigError, match="whole number"):
        upgrade_raw({"version": -1})


def test_peek_reads_one_area_without_writing(path: Path) -> None:
    original = '[logging]\nlevel = "DEBUG"\n[api]\nport = 99999\n'  # version 0 and an invalid value
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    store = ConfigStore(path)
    assert store.peek(LoggingSettings).level == "DEBUG"
    assert store.peek(ApiSettings) == ApiSettings()
    assert [p.key for p in store.peek_problems()] == ["api.port"]
    assert path.read_text(encoding="utf-8") == original
    assert _only_files(path.parent) == ["config.toml"]


def test_peek_of_a_missing_or_broken_file_gives_defaults(path: Path) -> None:
    assert ConfigStore(path).peek(UiSettings) == UiSettings()
    path.parent.mkdir(parents=True)
    path.write_text("not toml [", encoding="utf-8")
    assert ConfigStore(path).peek(UiSettings) == UiSettings()
    path.write_text("version = 1\nui = 3\n", encoding="utf-8")
    assert ConfigStore(path).peek(UiSettings) == UiSettings()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_backup_of_a_problem_file_keeps_its_bytes(path: Path) -> None:
    original = '[ui]\ntheme = "pink"\n# a comment the user wrote\n'
    path.parent.mkdir(parents=True)
    path.write_text(original, encoding="utf-8")
    store = ConfigStore(path)
    result = store.load()  # version 0 + invalid: upgraded, backed up twice, rewritten
    assert result.upgraded_from == 0
    assert [p.key for p in result.problems] == ["ui.theme"]
    assert {b.read_text(encoding="utf-8") for b in _backups(path)} == {original}
    assert {b.name.split(".")[2].split("-")[0] for b in _backups(path)} == {"v0", "invalid"}
    assert tomllib.loads(path.read_text(encoding="utf-8"))["ui"]["theme"] == "system"


def test_environment_override_is_not_written_into_the_file(tmp_path, monkeypatch) -> None:
    import tomllib

    from studio.config.store import ConfigStore as _Store

    path = tmp_path / "config.toml"
    path.write_text('version = 1\n[api]\nport = 9001\n[ui]\ntheme = "dark"\n', encoding="utf-8")
    monkeypatch.setenv("STUDIO_API_PORT", "9100")
    monkeypatch.setenv("STUDIO_UI_LANGUAGE", "ja")
    store = _Store(path)
    config = store.load().config
    assert config.api.port == 9100 and config.ui.language == "ja"
    store.save(config)
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved["api"]["port"] == 9001, "the file keeps the user's own value"
    assert "language" not in saved["ui"], "an env-only value is not made permanent"
    assert saved["ui"]["theme"] == "dark"
