"""The records every new Outreach sandbox account starts with.

The baseline derives from the account name alone: two or three users, each with one
mailbox that can send, so that a fresh account can enrol prospects into sequences at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from faker import Faker

from ..base import stable_seed

_faker = Faker("en_US")
_faker_lock = threading.Lock()


@dataclass(frozen=True)
class BaselineUser:
    """One user of the baseline. Its mailbox sends from the same address."""

    first_name: str
    last_name: str
    email: str


def baseline_users(account: str) -> list[BaselineUser]:
    """Return the users of a new account, the same on every run for the same account name."""
    seed = stable_seed("outreach", "baseline", account)
    with _faker_lock:
        _faker.seed_instance(seed)
        count = 2 + seed % 2
        domain = _faker.domain_name()
        users = []
        for _ in range(count):
            first, last = _faker.first_name(), _faker.last_name()
            email = f"{first}.{last}@{domain}".lower().replace(" ", "")
            users.append(BaselineUser(first, last, email))
    return users
