"""The typed configuration layer: parsing, checks with clear messages, embedded defaults."""

from __future__ import annotations

import pytest

from fediscience.config import ConfigError, load_settings


def test_defaults_use_sqlite_in_the_instance_folder_and_a_kept_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("FEDISCIENCE_INSTANCE_PATH", str(tmp_path))
    settings = load_settings()
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'fediscience.sqlite3'}"
    assert settings.redis_url is None
    secret = settings.resolved_secret_key()
    assert len(secret) >= 32 and load_settings().resolved_secret_key() == secret
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FEDISCIENCE_SECRET_KEY", "12345", "FEDISCIENCE_SECRET_KEY"),
        ("FEDISCIENCE_BASE_URL", "ftp://example.org", "FEDISCIENCE_BASE_URL"),
        ("FEDISCIENCE_BASE_URL", "http://science.example.org", "https"),
        ("FEDISCIENCE_BASE_URL", "https://example.org/sub/path", "path"),
        ("FEDISCIENCE_MAX_SUMMARY_BYTES", "lots", "FEDISCIENCE_MAX_SUMMARY_BYTES"),
        ("FEDISCIENCE_REGISTRATION_OPEN", "perhaps", "FEDISCIENCE_REGISTRATION_OPEN"),
        ("FEDISCIENCE_SWEEPER_INTERVAL", "-1", "FEDISCIENCE_SWEEPER_INTERVAL"),
    ],
)
def test_bad_values_fail_at_start_up_with_the_variable_named(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert message in str(raised.value)


def test_values_are_parsed_to_their_types(monkeypatch):
    monkeypatch.setenv("FEDISCIENCE_SECRET_KEY", "1234567890123456789")
    monkeypatch.setenv("FEDISCIENCE_BASE_URL", "https://science.example.org:8443/")
    monkeypatch.setenv("FEDISCIENCE_DATABASE_URL", "postgresql://u@db/fs")
    monkeypatch.setenv("FEDISCIENCE_JOB_RETRY_DELAYS", "[1, 2.5]")
    monkeypatch.setenv("FEDISCIENCE_REGISTRATION_OPEN", "false")
    settings = load_settings()
    assert settings.secret_key == "1234567890123456789"  # a string, not an int
    assert settings.base_url == "https://science.example.org:8443"
    assert settings.host == "science.example.org:8443"
    assert settings.resolved_database_url() == "postgresql+psycopg://u@db/fs"
    assert settings.job_retry_delays == (1.0, 2.5)
    assert settings.registration_open is False
