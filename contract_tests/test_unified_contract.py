"""Schemathesis, every phase and every check, against the served sandbox per provider.

The run uses the test-only overlay of ``contract_tests/overlay.py`` and the expected
statuses of ``contract_tests/runner.py``; both explain each narrowing they make. The case
count of each run is printed (``pytest -s`` shows it) and must be substantial.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import API_KEY, BASE_PATH, ServerProcess
from contract_tests.runner import run_schemathesis

PROVIDERS = ["apollo", "outreach", "salesloft"]
MAX_EXAMPLES = 40
MIN_CASES = 1000


@pytest.mark.parametrize("provider", PROVIDERS)
def test_schemathesis_finds_no_failure(provider: str, served: ServerProcess, tmp_path: Path) -> None:
    result = run_schemathesis(provider, served.base_url + BASE_PATH, API_KEY, tmp_path, max_examples=MAX_EXAMPLES)
    print(f"\nschemathesis {provider} (in-process adapters): {result.summary()}")
    assert result.exit_code == 0, result.output[-8000:]
    assert result.operations >= 25
    assert result.test_cases >= MIN_CASES
