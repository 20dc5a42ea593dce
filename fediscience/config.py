"""Typed configuration read from FEDISCIENCE_* environment variables, checked at start-up."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(RuntimeError):
    """The configuration is invalid; the message says which variable and why."""


class Settings(BaseSettings):
    """Every setting of an instance, parsed to its type from the environment."""

    model_config = SettingsConfigDict(env_prefix="FEDISCIENCE_", extra="ignore", frozen=True)

    instance_path: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str | None = None
    redis_url: str | None = None
    base_url: str = "http://localhost:5000"
    domain: str | None = None
    secret_key: str | None = None
    site_name: str = "FediScience"
    registration_open: bool = True
    max_summary_bytes: int = Field(default=100_000, gt=0)
    max_comment_bytes: int = Field(default=20_000, gt=0)
    max_avatar_bytes: int = Field(default=5_000_000, gt=0)
    reply_ancestor_depth: int = Field(default=8, ge=0)  # missing ancestors of a reply fetched at most
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    crossref_api_url: str = "https://api.crossref.org"
    dblp_api_url: str = "https://dblp.org"
    contact_email: str = "admin@example.org"
    http_timeout: float = Field(default=10.0, gt=0)
    allow_private_addresses: bool = False
    authorized_fetch: bool = False  # secure mode: our ActivityStreams GETs require a signature
    job_retry_delays: tuple[float, ...] = (60.0, 300.0, 1800.0)
    sweeper_interval: float = Field(default=30.0, gt=0)
    worker_burst: bool = False
    queue_name: str = "fediscience"
    delivery_batch_size: int = Field(default=500, gt=0)  # inboxes per delivery job
    delivery_signing_threads: int = Field(default=2, gt=0)
    delivery_signing_processes: int = Field(default=2, ge=0)  # signing helpers beside the worker; 0: threads only
    delivery_max_connections: int = Field(default=512, gt=0)
    delivery_per_host_connections: int = Field(default=4, gt=0)
    key_rotation_settle: float = Field(default=60.0, ge=0)  # seconds other activities wait after a key rotation
    delivery_lease_seconds: float = Field(default=300.0, gt=0)
    delivery_retry_base: float = Field(default=1.0, gt=0)  # scales the n**4+15 s back-off (tests use ms)
    delivery_max_tries: int = Field(default=16, gt=0)
    delivery_connect_timeout: float = Field(default=5.0, gt=0)
    delivery_read_timeout: float = Field(default=10.0, gt=0)
    delivery_total_timeout: float = Field(default=30.0, gt=0)
    breaker_failures: int = Field(default=10, gt=0)
    breaker_seconds: float = Field(default=60.0, gt=0)
    unavailable_after_days: int = Field(default=7, gt=0)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be scheme://host[:port], e.g. https://science.example.org")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ValueError("must not carry a path, query or fragment")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("secret_key")
    @classmethod
    def _check_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < 16:
            raise ValueError("must be at least 16 characters long")
        return value

    @model_validator(mode="after")
    def _check_https(self) -> "Settings":
        host = urlsplit(self.base_url).hostname or ""
        local = host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost") or host.endswith(".test")
        if self.base_url.startswith("http://") and not (local or self.allow_private_addresses):
            raise ValueError("FEDISCIENCE_BASE_URL must use https outside local development and tests")
        return self

    @property
    def host(self) -> str:
        """The public host (with port when not default) that ids and WebFinger use."""
        return self.domain or urlsplit(self.base_url).netloc

    @property
    def secure(self) -> bool:
        """True when the instance is served over https."""
        return self.base_url.startswith("https://")

    def resolved_database_url(self) -> str:
        """The database URL, SQLite in the instance folder when none is set."""
        if self.database_url:
            return _normalise_database_url(self.database_url)
        return f"sqlite:///{self.instance_path / 'fediscience.sqlite3'}"

    def resolved_secret_key(self) -> str:
        """The secret key; generated once and kept in the instance folder when none is set."""
        if self.secret_key:
            return self.secret_key
        path = self.instance_path / "secret_key"
        if not path.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def _normalise_database_url(url: str) -> str:
    """Use psycopg 3 for bare postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment (and overrides), raising ConfigError with a clear message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "FEDISCIENCE_" + "_".join(str(p) for p in error["loc"]).upper() if error["loc"] else "settings"
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None
