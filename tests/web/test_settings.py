"""Settings: the secret key (generated once, 0600, or from the environment), cookie flag, limits."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backcare.web.settings import UploadLimits, WebSettings, default_break_after_s


def test_secret_is_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKCARE_SECRET_KEY", raising=False)
    first = WebSettings.from_env(data_dir=tmp_path)
    second = WebSettings.from_env(data_dir=tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert first.secret_key not in repr(first)
    other = WebSettings.from_env(data_dir=tmp_path / "elsewhere")
    assert other.secret_key != first.secret_key


def test_secret_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCARE_SECRET_KEY", "e" * 40)
    settings = WebSettings.from_env(data_dir=tmp_path)
    assert settings.secret_key == "e" * 40
    assert not (tmp_path / "secret_key").exists()


def test_a_truncated_secret_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKCARE_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ValueError, match="shorter than 32"):
        WebSettings.from_env(data_dir=tmp_path)


def test_defaults_and_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCARE_SECRET_KEY", "e" * 40)
    monkeypatch.setenv("BACKCARE_DATABASE_URL", "sqlite:///elsewhere.db")
    settings = WebSettings.from_env(data_dir=tmp_path)
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.cookie_secure is False  # plain http on 127.0.0.1 by default
    monkeypatch.setenv("BACKCARE_COOKIE_SECURE", "1")
    assert WebSettings.from_env(data_dir=tmp_path).cookie_secure is True
    assert settings.break_after_s == default_break_after_s() == 1800.0
    assert settings.upload_limits.for_kind("image") < settings.upload_limits.for_kind("video")


def test_invalid_settings_are_refused(tmp_path):
    with pytest.raises(ValidationError):
        WebSettings(database_url="sqlite://", data_dir=tmp_path, secret_key="short")
    with pytest.raises(ValidationError):
        UploadLimits(video=0)
