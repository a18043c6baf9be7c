"""What every vendor simulator shares: accounts, clock, rate limits and injected faults.

A simulator serves one vendor's native API for many vendor accounts at once. The caller's
credential (a bearer token, or Apollo's ``api_key``) names the account. In the default
sandbox mode an unknown credential opens a new account, provisioned with a deterministic
baseline derived from the credential; in strict mode it is a native 401.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from .memo import Memo, check_same, verifying
from .native import Handler, NativeRequest, NativeResponse, Router
from .store import Collection, IndexKey, Store


class Clock:
    """The simulators' source of time; tests replace it with a ``FixedClock``."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that starts at ``start`` and moves ``step`` forward on every reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=1)) -> None:
        self._current = start
        self._step = step
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            current = self._current
            self._current = current + self._step
            return current


def iso_millis(moment: datetime) -> str:
    """Format a time as RFC 3339 UTC with milliseconds: ``2024-01-02T03:04:05.000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def account_prefix(vendor: str, account: str) -> str:
    """Return the table-name prefix of one vendor account, ending in ``/``.

    ``/`` and ``%`` in the account name are percent-encoded, so that no account's prefix
    starts another's (``acme/`` is not a prefix of ``acme%2Fx/``).
    """
    escaped = account.replace("%", "%25").replace("/", "%2F")
    return f"{vendor}/{escaped}/"


def stable_seed(*parts: str) -> int:
    """Return a 64-bit integer derived from ``parts``, equal on every machine and run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class RateLimit:
    """A fixed-window request budget per account: ``limit`` requests every ``window`` seconds."""

    limit: int
    window: float = 60.0


class Simulator:
    """Base class of the vendor simulators.

    Subclasses set ``vendor``, register routes on ``self.router`` and implement
    ``credential`` (which account a request is for), ``provision`` (the baseline of a new
    account) and the native error bodies.
    """

    vendor: ClassVar[str] = ""
    # Responses of read-only requests remembered per simulator (see ``reads``).
    read_memo_size: ClassVar[int] = 64

    def __init__(
        self,
        store: Store | None = None,
        *,
        clock: Clock | None = None,
        rate_limit: RateLimit | None = None,
        strict_accounts: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store if store is not None else Store()
        self.clock = clock or Clock()
        self.rate_limit = rate_limit
        self.strict_accounts = strict_accounts
        self.router = Router(self.path_suffixes())
        self._monotonic = monotonic
        self._windows: dict[str, tuple[float, int]] = {}
        self._faults: dict[str, deque[NativeResponse]] = {}
        self._read_memo: Memo[tuple[int, NativeResponse]] = Memo(self.read_memo_size)
        self._accounts = self.store.collection(f"{self.vendor}/accounts", indexes={"name": _name_key})
        self.register_routes()

    # Hooks for subclasses -------------------------------------------------------------

    def path_suffixes(self) -> tuple[str, ...]:
        return ()

    def register_routes(self) -> None:
        raise NotImplementedError

    def credential(self, request: NativeRequest) -> str | None:
        """Return the credential the request carries, or None."""
        raise NotImplementedError

    def provision(self, account: str) -> None:
        """Create the baseline records of a new account."""

    def error(self, status: int, message: str, **extra: Any) -> NativeResponse:
        """Return the vendor's native error response."""
        raise NotImplementedError

    def rate_limited(self, account: str, retry_after: int) -> NativeResponse:
        return self.error(429, "Rate limit exceeded", retry_after=retry_after)

    def public_routes(self) -> tuple[str, ...]:
        """Paths that need no credential (token endpoints)."""
        return ()

    # Accounts ----------------------------------------------------------------------------

    def account_for(self, credential: str) -> str | None:
        """Return the account a credential opens, creating it in sandbox mode."""
        with self.store.lock:
            found = self._accounts.find("name", credential)
            if found:
                return self._accounts.get(found[0])["account"]  # type: ignore[index]
            if self.strict_accounts:
                return None
            self.open_account(credential)
            return credential

    def open_account(self, account: str, *, provision: bool = True) -> None:
        """Register ``account`` under its own name as credential; provision it once."""
        with self.store.lock:
            if self._accounts.find("name", account):
                return
            self._accounts.insert({"credential": account, "account": account})
            if provision:
                self.provision(account)

    def add_credential(self, credential: str, account: str) -> None:
        """Let ``credential`` open ``account`` (tokens issued by a refresh, for example)."""
        with self.store.lock:
            if not self._accounts.find("name", credential):
                self._accounts.insert({"credential": credential, "account": account})

    def collection(self, account: str, resource: str, indexes: dict[str, IndexKey] | None = None) -> Collection:
        return self.store.collection(account_prefix(self.vendor, account) + resource, indexes)

    # Reads -------------------------------------------------------------------------------

    def reads(self, handler: Handler) -> Handler:
        """Wrap a handler that only reads the store, so that a repeated request reuses its response.

        A request equal to an earlier one (method, path, query, headers, body and route
        values) gets the earlier response body again as long as the store has not been
        written since. Admission (credentials, faults, rate limits) happens before the
        handler and is never skipped. Only 200 responses of calls that left the store
        unchanged are remembered, and the body is shared: callers must not change it.
        """

        def run(request: NativeRequest, *args: Any, **values: Any) -> NativeResponse:
            key = _read_key(request, args, values)
            if key is None:
                return handler(request, *args, **values)
            version = self.store.version
            entry = self._read_memo.get(key)
            if entry is not None and entry[0] == version:
                remembered = entry[1]
                if verifying():
                    fresh = handler(request, *args, **values)
                    check_same(
                        (remembered.status, remembered.body, remembered.headers),
                        (fresh.status, fresh.body, fresh.headers),
                        f"response to {request.method} {request.path}",
                    )
                return _reissued(remembered)
            response = handler(request, *args, **values)
            if response.status == 200 and self.store.version == version:
                self._read_memo.put(key, (version, _reissued(response)))
            return response

        return run

    def forget_reads(self) -> None:
        """Drop every remembered read response, so that the next reads are built again."""
        self._read_memo.clear()

    # Faults and limits -------------------------------------------------------------------

    def inject_faults(self, account: str, *responses: NativeResponse) -> None:
        """Return ``responses``, in order, for the next requests of ``account``."""
        with self.store.lock:
            self._faults.setdefault(account, deque()).extend(responses)

    def _check_rate_limit(self, account: str) -> NativeResponse | None:
        if self.rate_limit is None:
            return None
        now = self._monotonic()
        started, used = self._windows.get(account, (now, 0))
        if now - started >= self.rate_limit.window:
            started, used = now, 0
        if used >= self.rate_limit.limit:
            retry_after = max(1, int(self.rate_limit.window - (now - started) + 0.999))
            return self.rate_limited(account, retry_after)
        self._windows[account] = (started, used + 1)
        return None

    def rate_limit_headers(self, account: str) -> dict[str, str]:
        """Return the vendor's rate-limit headers for a successful response."""
        return {}

    # Dispatch ----------------------------------------------------------------------------

    def handle(self, request: NativeRequest) -> NativeResponse:
        """Handle one native request and return the vendor's response."""
        with self.store.lock:
            resolved = self.router.resolve(request.method, request.path)
            if resolved is None:
                return self.error(404, f"No route for {request.method} {request.path}")
            if isinstance(resolved, str):
                return self.error(405, f"Method {request.method} is not allowed on {request.path}")
            handler, values = resolved
            if request.path in self.public_routes():
                return handler(request, **values)

            credential = self.credential(request)
            if not credential:
                return self.error(401, "Missing credentials")
            account = self.account_for(credential)
            if account is None:
                return self.error(401, "Invalid credentials")

            queued = self._faults.get(account)
            if queued:
                return queued.popleft()
            limited = self._check_rate_limit(account)
            if limited is not None:
                return limited

            response = handler(request, account=account, **values)
            response.headers.update(self.rate_limit_headers(account))
            return response


def _read_key(request: NativeRequest, args: tuple[Any, ...], values: dict[str, Any]) -> tuple[Any, ...] | None:
    """Return every part of a request that a read handler can use, as a hashable key.

    Returns None when the body is not JSON or a part cannot be hashed.
    """
    body = None
    if request.json is not None:
        try:
            body = json.dumps(request.json, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
    try:
        key = (
            request.method,
            request.path,
            request.query,
            request.base_url,
            tuple(sorted(request.headers.items())),
            body,
            args,
            tuple(sorted(values.items())),
        )
        hash(key)
    except TypeError:
        return None
    return key


def _reissued(response: NativeResponse) -> NativeResponse:
    """Return a response with the same body and its own headers, which callers may extend."""
    return NativeResponse(response.status, response.body, dict(response.headers), response.content_type)


def _name_key(document: Any) -> list[str]:
    return [document["credential"]]
