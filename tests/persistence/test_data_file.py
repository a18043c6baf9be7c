"""Loading and writing a data file through ``Store``: equal values are shared, never mixed up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import providers_sim.store as store_module
from providers_sim.store import DataFileError, Store

REFERENCE = {"data": {"type": "account", "id": 20}}
TABLES = {
    "outreach/acme/prospects": {
        "1": {"id": 1, "attributes": {"city": "Berlin", "flag": True}, "relationships": {"account": REFERENCE}},
        "2": {"id": 2, "attributes": {"city": "Berlin", "flag": 1}, "relationships": {"account": REFERENCE}},
    },
    "outreach/acme/tokens": {"1": {"token": "same"}, "2": {"token": "same"}},
}


def _store(tmp_path: Path, tables: dict[str, object]) -> tuple[Store, Path]:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(tables), encoding="utf-8")
    return Store(str(path), flush_interval=0), path


def test_loaded_values_equal_file(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, TABLES)

    assert store.export_tables("outreach/") == TABLES


def test_true_and_one_stay_apart(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, TABLES)
    prospects = store.collection("outreach/acme/prospects")

    first, second = prospects.get(1), prospects.get(2)

    assert first is not None and second is not None
    assert first["attributes"]["flag"] is True
    assert type(second["attributes"]["flag"]) is int


def test_update_of_shared_value_stays_local(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, TABLES)
    prospects = store.collection("outreach/acme/prospects")
    tokens = store.collection("outreach/acme/tokens")

    prospects.update(1, {"relationships": {"account": {"data": {"type": "account", "id": 21}}}})
    tokens.update(1, {"token": "changed"})

    second = prospects.get(2)
    assert second is not None
    assert second["relationships"]["account"] == REFERENCE
    assert tokens.get(2) == {"token": "same"}


def test_flush_writes_loaded_and_changed_records(tmp_path: Path) -> None:
    store, path = _store(tmp_path, TABLES)
    store.collection("outreach/acme/tokens").insert({"token": "new"})

    store.close()

    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["outreach/acme/prospects"] == TABLES["outreach/acme/prospects"]
    assert written["outreach/acme/tokens"]["3"] == {"token": "new"}
    assert not [name for name in path.parent.iterdir() if name.name.startswith(".data.json.tmp-")]


@pytest.mark.parametrize(
    "content",
    ['{"a": ', '"text"', '{"t": {"1": 5}}', '{"t": {"x": {}}}'],
    ids=["truncated", "not-object", "record-not-object", "key-not-number"],
)
def test_invalid_file_raises_data_file_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DataFileError, match="data.json"):
        Store(str(path), flush_interval=0)
    assert path.read_text(encoding="utf-8") == content


def test_flush_serialises_outside_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, path = _store(tmp_path, TABLES)
    prospects = store.collection("outreach/acme/prospects")
    prospects.update(1, {"attributes": {"city": "Before"}})
    seen: dict[str, object] = {}
    original = store_module._json_pieces

    def pieces_with_concurrent_write(tables: dict[str, dict[str, object]]) -> Iterator[str]:
        def write_from_another_thread() -> None:
            seen["lock_free"] = store.lock.acquire(timeout=5)
            if seen["lock_free"]:
                store.lock.release()
                prospects.update(1, {"attributes": {"city": "During"}})

        other = threading.Thread(target=write_from_another_thread)
        other.start()
        other.join(10)
        yield from original(tables)

    monkeypatch.setattr(store_module, "_json_pieces", pieces_with_concurrent_write)
    assert store.flush()
    monkeypatch.setattr(store_module, "_json_pieces", original)

    assert seen["lock_free"] is True
    first = json.loads(path.read_text(encoding="utf-8"))
    assert first["outreach/acme/prospects"]["1"]["attributes"] == {"city": "Before"}
    assert store.flush()
    second = json.loads(path.read_text(encoding="utf-8"))
    assert second["outreach/acme/prospects"]["1"]["attributes"] == {"city": "During"}
    assert second["outreach/acme/prospects"]["2"] == TABLES["outreach/acme/prospects"]["2"]
    store.close()


def test_failed_flush_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, path = _store(tmp_path, TABLES)
    store.collection("outreach/acme/tokens").insert({"token": "kept"})

    def full_disk(_path: str, _pieces: Iterator[str]) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "_write_atomically", full_disk)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.undo()

    assert store.flush()
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["outreach/acme/tokens"]["3"] == {"token": "kept"}
    store.close()


def test_pieces_join_to_plain_json() -> None:
    tables = {"a": {str(number): {"n": number, "text": "é\u2028"} for number in range(1, 1203)}, "empty": {}, 'q"t': {}}
    text = "".join(store_module._json_pieces(tables))
    assert json.loads(text) == tables
