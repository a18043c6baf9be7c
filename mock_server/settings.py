"""Settings of a sandbox server, gathered in one frozen value."""

from __future__ import annotations

from dataclasses import dataclass, field

from .adapters.base import RetryPolicy
from .providers import Provider

DEFAULT_API_KEY = "sandbox-api-key"
DEFAULT_APPLICATION_NAME = "sandbox"


@dataclass(frozen=True)
class HttpBackend:
    """HTTP endpoint and credentials to which one vendor's adapters send native requests.

    Leave the credentials empty to reach a simulator: each connection then sends its own
    sandbox token, so each connection gets its own vendor account.
    """

    base_url: str
    token: str | None = None
    api_key: str | None = None
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"HttpBackend(base_url={self.base_url!r}, credentials=<redacted>)"


@dataclass(frozen=True)
class Settings:
    """Behaviour settings of the sandbox, filled in by the command line."""

    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    application_name: str = DEFAULT_APPLICATION_NAME
    strict_connections: bool = False
    # The TinyDB JSON file that keeps every connection's records; None keeps them in memory.
    data_file: str | None = None
    # Seconds between two writes of the data file; 0 writes it only when the sandbox closes.
    flush_interval: float = 1.0
    http_backends: dict[Provider, HttpBackend] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    validate_responses: bool = False
    # The fixture preset loaded into each connection whose vendor account is new, if any.
    fixtures: str | None = None
