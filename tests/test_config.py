"""Settings: defaults, environment, and that every setting is documented in the README."""

from __future__ import annotations

from pathlib import Path

from indexer.config import Settings, documented_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text()
    for _, env, _, help_text in documented_settings():
        assert f"`{env}`" in readme
        assert help_text in readme


def test_environment_then_overrides() -> None:
    env = {"INDEXER_DATA": "/tmp/x", "INDEXER_WORKERS": "3", "INDEXER_EXTRACT_TIMEOUT": "1.5"}
    s = Settings.from_env(env)
    assert (s.data, s.workers, s.extract_timeout) == (Path("/tmp/x"), 3, 1.5)
    assert Settings.from_env(env, data=Path("/elsewhere"), workers=None).data == Path("/elsewhere")
    assert Settings.from_env({}).data == Path("data")
