"""A data file that is not a valid database stops the commands with exit code 3 and stays untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import free_port

from .support import run_command

EXIT_DATA_FILE = 3


def _half_of_a_real_file(tmp_path: Path) -> str:
    source = tmp_path / "complete.json"
    result = run_command("seed", "--data-file", str(source), "--customer-id", "c", "--provider", "outreach")
    assert result.returncode == 0, result.stderr
    text = source.read_text(encoding="utf-8")
    return text[: len(text) // 2]


CONTENTS = {
    "not-json": lambda tmp_path: "this is not JSON",
    "truncated": _half_of_a_real_file,
    "list": lambda tmp_path: json.dumps([1, 2, 3]),
    "table-not-object": lambda tmp_path: json.dumps({"outreach/accounts": [1]}),
    "bad-record-id": lambda tmp_path: json.dumps({"outreach/accounts": {"first": {"credential": "x"}}}),
}
MESSAGES = {
    "not-json": "is not valid JSON",
    "truncated": "is not valid JSON",
    "list": "must contain a JSON object of tables",
    "table-not-object": "must be an object of documents by id",
    "bad-record-id": "has an invalid entry 'first'",
}


@pytest.mark.parametrize("kind", sorted(CONTENTS))
def test_serve_refuses_invalid_data_file(tmp_path: Path, kind: str) -> None:
    data_file = tmp_path / "sandbox.json"
    data_file.write_text(CONTENTS[kind](tmp_path), encoding="utf-8")
    before = data_file.read_bytes()

    result = run_command("serve", "--port", str(free_port()), "--data-file", str(data_file), timeout=60)

    assert result.returncode == EXIT_DATA_FILE
    assert MESSAGES[kind] in result.stderr
    assert str(data_file) in result.stderr
    assert data_file.read_bytes() == before


@pytest.mark.parametrize(
    "command",
    [
        ["seed", "--customer-id", "c"],
        ["snapshot", "export", "--customer-id", "c", "--provider", "apollo"],
        ["snapshot", "import", "--customer-id", "c", "--provider", "apollo", "--input", "-"],
    ],
    ids=["seed", "snapshot-export", "snapshot-import"],
)
def test_data_commands_refuse_invalid_data_file(tmp_path: Path, command: list[str]) -> None:
    data_file = tmp_path / "sandbox.json"
    data_file.write_text("{broken", encoding="utf-8")
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(
        json.dumps({"format": "engagement-mock-snapshot", "version": 1, "provider": "apollo", "tables": {}})
    )
    arguments = [argument if argument != "-" else str(snapshot) for argument in command]

    result = run_command(*arguments, "--data-file", str(data_file))

    assert result.returncode == EXIT_DATA_FILE, result.stderr
    assert "is not valid JSON" in result.stderr
    assert data_file.read_text(encoding="utf-8") == "{broken"


def test_empty_data_file_starts_empty(tmp_path: Path) -> None:
    data_file = tmp_path / "sandbox.json"
    data_file.write_bytes(b"")

    result = run_command(
        "snapshot", "export", "--data-file", str(data_file), "--customer-id", "c", "--provider", "outreach"
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tables"] == {}
