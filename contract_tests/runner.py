"""Run the Schemathesis CLI with every check against a served unified API.

``run_schemathesis`` writes the provider's overlay of the spec and a Schemathesis config
file into a work folder and runs ``st run`` with all phases and all checks. It returns the
exit code, the printed output, the number of generated test cases and of tested operations.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from mock_server.adapters.capabilities import CAPABILITIES
from mock_server.providers import Provider

from .overlay import overlay_for

POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
NEGATIVE_DEFAULT = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
NOT_A_SERVER_ERROR_DEFAULT = ["2xx", "3xx", "4xx"]

# A well-formed request about records that do not exist, or that breaks a vendor rule (an
# unknown id, a duplicate domain, a blank cadence name), is rejected by the vendor. The
# reference reports that as 499 REMOTE_PROVIDER_ERROR, and Outreach passes its 422 through.
POSITIVE_EXTRA = {
    "apollo": ["499"],
    "outreach": ["422", "499"],
    "salesloft": ["499"],
}

# Operations where the vendor returns a documented 400 BAD_REQUEST for some schema-valid
# bodies, by rules the spec's schemas cannot express.
VENDOR_RULE_REFUSALS: dict[str, dict[str, str]] = {
    "apollo": {
        "searchAccounts": "name is required and domain is refused",
        "upsertAccount": "name is required and domain is refused",
        "searchContacts": "at least one email is required",
        "searchSequenceStates": "contact_id is required and sequence_id is refused",
        "batchCreateSequenceState": "all records need the same sequence, mailbox and user",
        "listAccounts": "modified_after is refused on uncached lists",
        "listContacts": "modified_after is refused on uncached lists",
        "listUsers": "modified_after is refused on uncached lists",
        "listMailboxes": "modified_after is refused on uncached lists",
        "listSequences": "modified_after is refused on uncached lists",
    },
    "outreach": {
        "searchAccounts": "at least one of name or domain is required",
        "upsertAccount": "at least one of name or domain is required",
        "createSequence": "an email step needs a template",
        "createSequenceStep": "an email step needs a template",
    },
    "salesloft": {
        "upsertAccount": "at least one of name or domain is required",
    },
}
# Refused list operations still serve cached reads (read_from_cache=true).
LIST_OPERATIONS = {"listAccounts", "listContacts", "listUsers", "listMailboxes", "listSequences", "listSequenceStates"}


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    output: str
    test_cases: int
    operations: int

    def summary(self) -> str:
        return f"{self.test_cases} test cases over {self.operations} operations"


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def config_text(provider: str) -> str:
    """Return the Schemathesis TOML config: the expected statuses of documented refusals."""
    lines = [
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {_toml_list(POSITIVE_DEFAULT + POSITIVE_EXTRA[provider])}",
        "",
        "[checks.negative_data_rejection]",
        f"expected-statuses = {_toml_list(NEGATIVE_DEFAULT + ['499'])}",
        "",
    ]
    capabilities = CAPABILITIES[Provider(provider)]
    for operation_id, refusal in sorted(capabilities.refusals.items()):
        # A refused operation returns its refusal whatever the input. A line break in a
        # path parameter matches no route (404), and missing credentials stay 401.
        expected = [str(refusal.status), "401", "404"]
        if operation_id in LIST_OPERATIONS:
            expected.append("2xx")
        lines += [
            "[[operations]]",
            f'include-operation-id = "{operation_id}"',
            f"checks.positive_data_acceptance.expected-statuses = {_toml_list(expected)}",
        ]
        if refusal.status >= 500:
            lines.append(
                f"checks.not_a_server_error.expected-statuses = {_toml_list(NOT_A_SERVER_ERROR_DEFAULT + [str(refusal.status)])}"
            )
        lines.append("")
    for operation_id in sorted(VENDOR_RULE_REFUSALS[provider]):
        expected = POSITIVE_DEFAULT + POSITIVE_EXTRA[provider] + ["400"]
        lines += [
            "[[operations]]",
            f'include-operation-id = "{operation_id}"',
            f"checks.positive_data_acceptance.expected-statuses = {_toml_list(expected)}",
            "",
        ]
    return "\n".join(lines)


def run_schemathesis(
    provider: str, base_url: str, api_key: str, work_dir: Path, *, max_examples: int = 30, seed: int = 20231204
) -> RunResult:
    schema_path = work_dir / f"openapi-{provider}.json"
    schema_path.write_text(json.dumps(overlay_for(provider)), encoding="utf-8")
    config_path = work_dir / f"schemathesis-{provider}.toml"
    config_path.write_text(config_text(provider), encoding="utf-8")
    junit_path = work_dir / f"junit-{provider}.xml"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config_path),
        "run",
        str(schema_path),
        "--url",
        base_url,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--header",
        f"x-api-key: {api_key}",
        # One customer for the whole run, so that a record created in one step of a
        # stateful scenario is visible to the next.
        "--header",
        f"x-customer-id: contract-{provider}",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit_path),
        "--suppress-health-check",
        "all",
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=1800, env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"}
    )
    output = completed.stdout + completed.stderr
    return RunResult(completed.returncode, output, _generated_cases(output), _tested_operations(junit_path))


def _generated_cases(output: str) -> int:
    """Read the number of generated test cases from the CLI summary (``2735 generated``)."""
    match = re.search(r"(\d+) generated", output)
    return int(match.group(1)) if match else 0


def _tested_operations(junit_path: Path) -> int:
    if not junit_path.exists():
        return 0
    root = ElementTree.parse(junit_path).getroot()
    return len(root.findall(".//testcase"))
