"""Apollo's per-minute, hourly and daily request budgets.

Apollo counts every API call of a team against three fixed windows and reports what is
left in the ``x-rate-limit-*`` and ``x-*-requests-left`` headers of every response. A call
over a budget gets a 429 whose body is plain text: the hourly and daily texts name the
endpoint and the plan limit, the per-minute text does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0

# Header names per window: (limit header, remaining header).
_HEADERS = {
    "minute": ("x-rate-limit-minute", "x-minute-requests-left"),
    "hour": ("x-rate-limit-hourly", "x-hourly-requests-left"),
    "day": ("x-rate-limit-24-hour", "x-24-hour-requests-left"),
}


@dataclass(frozen=True)
class ApolloRateLimits:
    """Requests allowed per account in each window.

    The defaults are large enough that ordinary test and contract runs never reach them;
    set small numbers to provoke 429s.
    """

    per_minute: int = 100_000
    per_hour: int = 1_000_000
    per_day: int = 10_000_000

    def windows(self) -> dict[str, tuple[float, int]]:
        return {"minute": (MINUTE, self.per_minute), "hour": (HOUR, self.per_hour), "day": (DAY, self.per_day)}


@dataclass(frozen=True)
class Exceeded:
    """A request over budget: which window ran out, and the seconds until it reopens."""

    window: str
    limit: int
    retry_after: int


class RateLimiter:
    """Fixed-window counters for every account, on a monotonic clock."""

    def __init__(self, limits: ApolloRateLimits, monotonic: Callable[[], float]) -> None:
        self.limits = limits
        self._monotonic = monotonic
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def acquire(self, account: str) -> Exceeded | None:
        """Count one request, or return the exhausted window (longest first) without counting."""
        now = self._monotonic()
        current = {
            name: self._current(account, name, length, now) for name, (length, _) in self.limits.windows().items()
        }
        for name in ("day", "hour", "minute"):
            length, limit = self.limits.windows()[name]
            started, used = current[name]
            if used >= limit:
                retry_after = max(1, int(length - (now - started) + 0.999))
                return Exceeded(name, limit, retry_after)
        for name, (started, used) in current.items():
            self._windows[(account, name)] = (started, used + 1)
        return None

    def headers(self, account: str) -> dict[str, str]:
        """Return the six rate-limit headers for ``account``."""
        now = self._monotonic()
        headers: dict[str, str] = {}
        for name, (length, limit) in self.limits.windows().items():
            _, used = self._current(account, name, length, now)
            limit_header, left_header = _HEADERS[name]
            headers[limit_header] = str(limit)
            headers[left_header] = str(max(0, limit - used))
        return headers

    def _current(self, account: str, name: str, length: float, now: float) -> tuple[float, int]:
        started, used = self._windows.get((account, name), (now, 0))
        if now - started >= length:
            return now, 0
        return started, used


def limit_message(exceeded: Exceeded, path: str) -> str:
    """Return Apollo's plain-text 429 body for a request to ``path``.

    ``/v1/contacts/search`` and ``/api/v1/contacts/search`` both name
    ``api/v1/contacts/search``, because api.apollo.io serves the same routes under /api.
    """
    if exceeded.window == "minute":
        return (
            f"You have exceeded the rate limit of {exceeded.limit} requests per minute. "
            f"Please try again in {exceeded.retry_after} seconds."
        )
    endpoint = path.strip("/")
    if not endpoint.startswith("api/"):
        endpoint = "api/" + endpoint
    period = "hour" if exceeded.window == "hour" else "day"
    return (
        f"The maximum number of api calls allowed for {endpoint} is {exceeded.limit} times per {period}. "
        "Please upgrade your plan from https://app.apollo.io/#/settings/plans/upgrade."
    )
