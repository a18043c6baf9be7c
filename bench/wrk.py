"""Drive load with wrk (a C load generator) when it is installed.

wrk costs far less CPU per request than a Python client, so on a small machine the server,
not the load generator, sets the figures. ``run_wrk`` returns the same ``LoadResult`` as
``bench.load.run_load``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.load import LoadResult

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_script(method: str, headers: dict[str, str], body_template: str | None) -> str:
    lines = [f'wrk.method = "{method}"']
    for name, value in headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if body_template is not None:
        # Each request gets a fresh number, so that POSTs create distinct records.
        escaped = body_template.replace("\\", "\\\\").replace('"', '\\"')
        lines += [
            'wrk.headers["Content-Type"] = "application/json"',
            "local counter = 0",
            "request = function()",
            "  counter = counter + 1",
            f'  local body = string.gsub("{escaped}", "{{n}}", tostring(counter) .. "-" .. tostring(math.random(1, 1000000000)))',
            "  return wrk.format(nil, nil, nil, body)",
            "end",
        ]
    return "\n".join(lines) + "\n"


def _to_ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def run_wrk(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str],
    body_template: str | None = None,
    connections: int,
    seconds: float,
) -> LoadResult:
    """Run wrk with one thread and ``connections`` connections; ``{n}`` in the body varies."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "request.lua"
        script.write_text(_lua_script(method, headers, body_template), encoding="utf-8")
        # A one-second warm-up run, then the measured run.
        base = ["wrk", "-t1", f"-c{connections}", "--latency", "-s", str(script), url]
        subprocess.run([*base[:3], "-d1s", *base[3:]], capture_output=True, text=True, check=True)
        completed = subprocess.run([*base[:3], f"-d{int(seconds)}s", *base[3:]], capture_output=True, text=True, check=True)
    output = completed.stdout
    percentiles = {
        match.group(1): _to_ms(match.group(2), match.group(3))
        for match in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    }
    requests_match = re.search(r"(\d+) requests in", output)
    errors_match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = int(requests_match.group(1)) if requests_match else 0
    return LoadResult(
        requests=requests,
        errors=int(errors_match.group(1)) if errors_match else 0,
        seconds=float(int(seconds)),
        p50_ms=percentiles.get("50", float("nan")),
        p99_ms=percentiles.get("99", float("nan")),
    )
