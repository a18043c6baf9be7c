"""Loading a data file never leaves two tables or documents as one shared object."""

from __future__ import annotations

from pathlib import Path

from providers_sim.store import Store


def test_equal_tables_stay_separate_after_reload(tmp_path: Path) -> None:
    path = str(tmp_path / "data.json")
    store = Store(path, flush_interval=0)
    for vendor in ("apollo", "outreach", "salesloft"):
        store.collection(f"{vendor}/accounts").insert({"credential": "same", "account": "same"})
    store.close()

    reloaded = Store(path, flush_interval=0)
    reloaded.collection("outreach/accounts").insert({"credential": "new", "account": "new"})

    assert len(reloaded.collection("outreach/accounts")) == 2
    assert len(reloaded.collection("apollo/accounts")) == 1
    assert len(reloaded.collection("salesloft/accounts")) == 1
    assert reloaded.collection("apollo/accounts").get(2) is None


def test_equal_documents_stay_separate_after_reload(tmp_path: Path) -> None:
    path = str(tmp_path / "data.json")
    store = Store(path, flush_interval=0)
    people = store.collection("vendor/people")
    people.insert({"name": "Same"})
    people.insert({"name": "Same"})
    store.close()

    reloaded = Store(path, flush_interval=0).collection("vendor/people")
    reloaded.update(1, {"name": "Changed"})

    assert reloaded.get(1) == {"name": "Changed"}
    assert reloaded.get(2) == {"name": "Same"}
