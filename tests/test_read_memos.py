"""Memos that let a repeated read of unchanged data reuse what the previous read built."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from conftest import BASE_PATH, unified_headers
from mock_server.adapters.base import InProcessTransport, map_items
from mock_server.app import create_app
from mock_server.settings import Settings
from providers_sim.apollo import ApolloRateLimits, ApolloSimulator
from providers_sim.base import FixedClock, RateLimit
from providers_sim.memo import VERIFY_VARIABLE, DerivedMemo, Memo, MemoMismatch
from providers_sim.native import NativeRequest, NativeResponse
from providers_sim.outreach import OutreachSimulator
from tests.apollo.support import Native as ApolloNative
from tests.outreach.support import START, Native, native_error
from tests.spec_responses import assert_conforms

# The memo classes --------------------------------------------------------------------------


def test_memo_drops_the_least_recently_used_entry() -> None:
    memo: Memo[str] = Memo(2)
    memo.put("a", "A")
    memo.put("b", "B")
    assert memo.get("a") == "A"  # "b" is now the oldest
    memo.put("c", "C")
    assert memo.get("b") is None
    assert (memo.get("a"), memo.get("c")) == ("A", "C")
    assert len(memo) == 2


def test_memo_needs_room() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        Memo(0)


def test_derived_value_needs_same_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_VARIABLE, "0")
    memo = DerivedMemo(4)
    builds: list[int] = []

    def build(items: list[int]) -> list[int]:
        builds.append(1)
        return [item * 2 for item in items]

    source = [1, 2]
    first = memo.derive(source, "double", lambda: build(source))
    assert memo.derive(source, "double", lambda: build(source)) is first
    equal_copy = [1, 2]
    assert memo.derive(equal_copy, "double", lambda: build(equal_copy)) is not first
    assert memo.derive(source, "other key", lambda: build(source)) is not first
    assert len(builds) == 3
    # Scalars are never remembered: two equal strings may be one object.
    memo.derive("text", "double", lambda: build([3]))
    memo.derive("text", "double", lambda: build([3]))
    assert len(builds) == 5


def test_verification_reports_a_changed_shared_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_VARIABLE, "1")
    memo = DerivedMemo(4)
    source = [1, 2]
    value = memo.derive(source, "copy", lambda: list(source))
    value.append(3)
    with pytest.raises(MemoMismatch, match="differs"):
        memo.derive(source, "copy", lambda: list(source))


def test_mapped_records_need_sharing_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_VARIABLE, "0")
    body = {"data": [{"id": 1}, {"id": 2}]}

    def mapper(item: dict[str, Any]) -> dict[str, Any]:
        return {"id": str(item["id"])}

    class Remote:
        """A transport whose bodies are parsed anew for every response."""

    shared = InProcessTransport(OutreachSimulator(clock=FixedClock(START)), "https://api.outreach.io")
    first = map_items(body, mapper, body["data"], shared)
    assert map_items(body, mapper, body["data"], shared) is first
    remote = map_items(body, mapper, body["data"], Remote())
    assert remote == first
    assert remote is not first
    assert map_items(body, mapper, body["data"], Remote()) is not remote


# Simulator reads -------------------------------------------------------------------------


def prospect(native: Native, first_name: str) -> dict[str, Any]:
    return native.create("prospects", "prospect", {"firstName": first_name})


def test_repeated_list_shares_body() -> None:
    native = Native(OutreachSimulator(clock=FixedClock(START)))
    prospect(native, "Ada")
    first = native.get("/prospects")
    again = native.get("/prospects")
    assert again.status == 200
    assert again.body is first.body
    assert again.headers is not first.headers

    prospect(native, "Grace")
    after_write = native.get("/prospects")
    assert after_write.body is not first.body
    assert [item["attributes"]["firstName"] for item in after_write.body["data"]] == ["Ada", "Grace"]


def test_update_shows_in_the_next_read() -> None:
    native = Native(OutreachSimulator(clock=FixedClock(START)))
    created = prospect(native, "Ada")
    before = native.get(f"/prospects/{created['id']}")
    assert before.body["data"]["attributes"]["firstName"] == "Ada"
    patched = native.patch(
        f"/prospects/{created['id']}",
        {"data": {"type": "prospect", "id": created["id"], "attributes": {"firstName": "Augusta"}}},
    )
    assert patched.status == 200
    after = native.get(f"/prospects/{created['id']}")
    assert after.body["data"]["attributes"]["firstName"] == "Augusta"


def test_different_queries_are_remembered_apart() -> None:
    native = Native(OutreachSimulator(clock=FixedClock(START)))
    for name in ("Ada", "Grace", "Edsger"):
        prospect(native, name)
    small = native.get("/prospects", ("page[size]", "1"))
    large = native.get("/prospects", ("page[size]", "3"))
    assert len(small.body["data"]) == 1
    assert len(large.body["data"]) == 3


def test_injected_faults_come_before_remembered_reads() -> None:
    simulator = OutreachSimulator(clock=FixedClock(START))
    native = Native(simulator)
    prospect(native, "Ada")
    remembered = native.get("/prospects")
    simulator.inject_faults(native.token, native_error(503, "Service Unavailable"))
    assert native.get("/prospects").status == 503
    assert native.get("/prospects").body is remembered.body


def test_rate_limit_counts_remembered_reads() -> None:
    simulator = OutreachSimulator(clock=FixedClock(START), rate_limit=RateLimit(3, 60), monotonic=lambda: 0.0)
    native = Native(simulator)
    prospect(native, "Ada")
    assert native.get("/prospects").status == 200
    assert native.get("/prospects").status == 200
    assert native.get("/prospects").status == 429


def test_apollo_limiter_counts_remembered_searches() -> None:
    simulator = ApolloSimulator(clock=FixedClock(START), limits=ApolloRateLimits(per_minute=2), monotonic=lambda: 0.0)
    native = ApolloNative(simulator)
    first = native.post("/v1/contacts/search", {"page": 1})
    assert first.status == 200
    second = native.post("/v1/contacts/search", {"page": 1})
    assert second.body is first.body
    assert int(second.headers["x-minute-requests-left"]) == int(first.headers["x-minute-requests-left"]) - 1
    assert native.post("/v1/contacts/search", {"page": 1}).status == 429


def test_error_responses_are_built_again() -> None:
    native = Native(OutreachSimulator(clock=FixedClock(START)))
    missing = native.get("/prospects/999")
    again = native.get("/prospects/999")
    assert missing.status == again.status == 404
    assert again.body is not missing.body


def test_verification_reports_a_changed_shared_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_VARIABLE, "1")
    native = Native(OutreachSimulator(clock=FixedClock(START)))
    prospect(native, "Ada")
    shared = native.get("/prospects")
    shared.body["data"][0]["attributes"]["firstName"] = "Changed by a caller"
    with pytest.raises(MemoMismatch):
        native.get("/prospects")


def test_verification_reports_clock_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERIFY_VARIABLE, "1")
    simulator = OutreachSimulator(clock=FixedClock(START))
    timed = simulator.reads(lambda request: NativeResponse(200, {"now": simulator.clock.now().isoformat()}))
    request = NativeRequest.from_url("GET", "https://api.outreach.io/api/v2/clock")
    assert timed(request).status == 200
    with pytest.raises(MemoMismatch):
        timed(request)


# Unified lists through the app -------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with create_app(Settings()).test_client() as test_client:
        yield test_client


def contact_body(index: int) -> dict[str, Any]:
    return {"record": {"first_name": f"Memo{index}", "last_name": "Reader", "email_addresses": [
        {"email_address": f"memo{index}@example.com", "email_address_type": "primary"}]}}


def listed(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(f"{BASE_PATH}/contacts", params={"page_size": "100", **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert_conforms("listContacts", response.status_code, response.json())
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", ["apollo", "outreach", "salesloft"])
def test_unified_list_follows_every_write(client: TestClient, provider: str) -> None:
    headers = unified_headers(provider)
    first_id = client.post(f"{BASE_PATH}/contacts", json=contact_body(0), headers=headers).json()["record"]["id"]
    before = listed(client, headers)
    assert listed(client, headers) == before

    client.post(f"{BASE_PATH}/contacts", json=contact_body(1), headers=headers)
    grown = listed(client, headers)
    assert len(grown["records"]) == len(before["records"]) + 1

    patched = client.patch(
        f"{BASE_PATH}/contacts/{first_id}", json={"record": {"first_name": "Renamed"}}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    renamed = {record["id"]: record["first_name"] for record in listed(client, headers)["records"]}
    assert renamed[first_id] == "Renamed"


@pytest.mark.parametrize("provider", ["apollo", "outreach", "salesloft"])
def test_raw_data_follows_flag(client: TestClient, provider: str) -> None:
    headers = unified_headers(provider)
    client.post(f"{BASE_PATH}/contacts", json=contact_body(2), headers=headers)
    plain = listed(client, headers)
    raw = listed(client, headers, include_raw_data="true")
    plain_again = listed(client, headers)
    assert all("raw_data" not in record for record in plain["records"] + plain_again["records"])
    assert raw["records"] and all(isinstance(record.get("raw_data"), dict) for record in raw["records"])
    assert [record["id"] for record in raw["records"]] == [record["id"] for record in plain["records"]]


@pytest.mark.parametrize("provider", ["apollo", "outreach", "salesloft"])
def test_tenants_never_share_remembered_pages(client: TestClient, provider: str) -> None:
    first = unified_headers(provider)
    second = unified_headers(provider)
    client.post(f"{BASE_PATH}/contacts", json=contact_body(3), headers=first)
    assert any(record["first_name"] == "Memo3" for record in listed(client, first)["records"])
    # Both tenants send the same list request, so a shared memo entry would hand A's page to B.
    assert not any(record["first_name"] == "Memo3" for record in listed(client, second)["records"])
