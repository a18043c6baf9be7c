"""Applications, connections and the vendor backends behind them.

An API key identifies an application. A connection is (application, ``x-customer-id``,
provider); it owns one adapter and one managed-destination cache. In the sandbox each
connection is its own vendor account inside that vendor's simulator, named
``<application id>:<customer id>``, so customers never see each other's records.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from providers_sim.base import Simulator
from providers_sim.store import Store

from .adapters.base import Adapter, AdapterSettings, Credentials, InProcessTransport, Transport
from .cache import ManagedCache
from .errors import NotFoundError
from .providers import Provider
from .settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VendorModules:
    """Import paths of a vendor's simulator and adapter, and the host the adapter addresses."""

    simulator: str
    adapter: str
    base_url: str


VENDORS: dict[Provider, VendorModules] = {
    Provider.APOLLO: VendorModules("providers_sim.apollo:ApolloSimulator", "mock_server.adapters.apollo:ApolloAdapter", "https://api.apollo.io"),
    Provider.OUTREACH: VendorModules(
        "providers_sim.outreach:OutreachSimulator", "mock_server.adapters.outreach:OutreachAdapter", "https://api.outreach.io"
    ),
    Provider.SALESLOFT: VendorModules(
        "providers_sim.salesloft:SalesloftSimulator",
        "mock_server.adapters.salesloft:SalesloftAdapter",
        "https://api.salesloft.com",
    ),
}


def load(reference: str) -> Any:
    """Import ``package.module:Name`` and return ``Name``."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def application_id_for(api_key: str) -> str:
    """Return the stable application id of an API key (the key itself is never shown)."""
    return "app_" + hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:12]


def account_name(application_id: str, customer_id: str) -> str:
    """Return the vendor account that backs a customer's connections: ``<application id>:<customer id>``."""
    return f"{application_id}:{customer_id}"


@dataclass
class Connection:
    """One customer's link to one vendor."""

    application_id: str
    customer_id: str
    provider: Provider
    adapter: Adapter
    cache: ManagedCache
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def account(self) -> str:
        """The vendor account that backs this connection in the simulators."""
        return account_name(self.application_id, self.customer_id)


class Sandbox:
    """Everything a running server holds: the store, the simulators and the connections."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        if settings.fixtures is not None:
            from fixtures import preset

            preset(settings.fixtures)  # raises CountsError naming the presets for an unknown name
        self.settings = settings
        self.store = store if store is not None else Store(settings.data_file, settings.flush_interval)
        self.applications = {application_id_for(key): key for key in settings.api_keys}
        self._key_to_application = {key: application_id_for(key) for key in settings.api_keys}
        self.simulators: dict[Provider, Simulator] = {}
        self._connections: dict[tuple[str, str, Provider], Connection] = {}
        self._declared: set[tuple[str, str, Provider]] = set()
        self._lock = threading.RLock()
        self._http_transports: dict[Provider, Transport] = {}

    # Applications ------------------------------------------------------------------------

    def application_for_key(self, api_key: str) -> str | None:
        return self._key_to_application.get(api_key)

    # Simulators --------------------------------------------------------------------------

    def simulator(self, provider: Provider) -> Simulator:
        """Return the in-process simulator of ``provider``, creating it on first use."""
        with self._lock:
            found = self.simulators.get(provider)
            if found is None:
                found = load(VENDORS[provider].simulator)(self.store)
                self.simulators[provider] = found
            return found

    # Connections -------------------------------------------------------------------------

    def declare(self, application_id: str, customer_id: str, provider: Provider) -> None:
        """Allow a connection in strict mode."""
        with self._lock:
            self._declared.add((application_id, customer_id, provider))

    def connection(self, application_id: str, customer_id: str, provider_name: str) -> Connection:
        """Return the connection for these headers, creating it on first use.

        Raises ``NotFoundError`` with the reference message for an unknown provider name, and
        in strict mode for a connection that was not declared.
        """
        provider = _provider_or_none(provider_name)
        key = (application_id, customer_id, provider) if provider else None
        if provider is None or (self.settings.strict_connections and key not in self._declared):
            raise NotFoundError(
                f"Connection not found for customer: {application_id}:{customer_id} and application: "
                f"{application_id} and provider: {provider_name}"
            )
        assert key is not None
        with self._lock:
            found = self._connections.get(key)
            if found is None:
                found = self._open(application_id, customer_id, provider)
                self._connections[key] = found
                logger.info("Opened connection %s:%s for %s", application_id, customer_id, provider.value)
                if self.settings.fixtures:
                    from .seeding import seed_new_connection

                    seed_new_connection(self, found, self.settings.fixtures)
            return found

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections.values())

    def _open(self, application_id: str, customer_id: str, provider: Provider) -> Connection:
        account = account_name(application_id, customer_id)
        transport, credentials = self._transport_for(provider, account)
        adapter_class = load(VENDORS[provider].adapter)
        adapter: Adapter = adapter_class(transport, credentials, AdapterSettings(retry=self.settings.retry))
        return Connection(application_id, customer_id, provider, adapter, ManagedCache(adapter))

    def _transport_for(self, provider: Provider, account: str) -> tuple[Transport, Credentials]:
        backend = self.settings.http_backends.get(provider)
        if backend is None:
            simulator = self.simulator(provider)
            transport: Transport = InProcessTransport(simulator, VENDORS[provider].base_url)
            return transport, _sandbox_credentials(provider, account)
        from .transport import HttpTransport

        with self._lock:
            transport = self._http_transports.get(provider) or HttpTransport(backend)
            self._http_transports[provider] = transport
        if backend.token or backend.api_key:
            credentials = Credentials(
                token=backend.token,
                api_key=backend.api_key,
                refresh_token=backend.refresh_token,
                client_id=backend.client_id,
                client_secret=backend.client_secret,
            )
        else:
            credentials = _sandbox_credentials(provider, account)
        return transport, credentials

    def close(self) -> None:
        for transport in self._http_transports.values():
            close = getattr(transport, "close", None)
            if close is not None:
                close()
        self.store.close()


def _sandbox_credentials(provider: Provider, account: str) -> Credentials:
    if provider is Provider.APOLLO:
        return Credentials(api_key=account)
    return Credentials(token=account)


def _provider_or_none(name: str) -> Provider | None:
    try:
        return Provider(name)
    except ValueError:
        return None
