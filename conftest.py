"""Fixtures shared by the unit, scenario and contract tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parent / "shared"
API_KEY = "sandbox-api-key"
BASE_PATH = "/engagement/v2"


def pytest_configure(config: pytest.Config) -> None:
    """Check every memo hit against a rebuilt value, in this process and in the servers it starts.

    Set here rather than at import, so that the benchmarks, which import this module for
    its helpers, measure the memos as users run them.
    """
    os.environ.setdefault("ENGAGEMENT_MOCK_VERIFY_MEMOS", "1")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """A server started as a child process on 127.0.0.1, stopped by its own pid."""

    def __init__(self, args: list[str], port: int, ready_path: str, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._ready_path = ready_path
        self._args = args
        self._env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.output = ""

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_server", *self._args],
            cwd=ROOT,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"Server exited with {self.process.returncode}:\n{output}")
            try:
                if httpx.get(self.base_url + self._ready_path, timeout=1.0).status_code < 500:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Server on port {self.port} did not become ready in {timeout} s")

    def stop(self, sig: int | None = None, timeout: float = 15.0) -> int | None:
        """Stop the process (SIGTERM unless ``sig`` is given) and return its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                os.kill(self.process.pid, sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.output = self.process.stdout.read().decode("utf-8", "replace")
            self.process.stdout.close()
        return self.process.returncode


def start_unified_server(*extra: str, env: dict[str, str] | None = None) -> ServerProcess:
    port = free_port()
    args = ["serve", "--port", str(port), "--log-level", "warning", *extra]
    return ServerProcess(args, port, f"{BASE_PATH}/openapi.json", env).start()


@pytest.fixture(scope="session")
def served() -> Iterator[ServerProcess]:
    """The unified API served over real HTTP on a free loopback port."""
    server = start_unified_server()
    try:
        yield server
    finally:
        server.stop()


def unified_headers(provider: str, customer: str | None = None) -> dict[str, str]:
    """Headers of a unified request for a fresh (or the given) customer."""
    return {
        "x-api-key": API_KEY,
        "x-customer-id": customer or f"customer-{uuid.uuid4().hex[:12]}",
        "x-provider-name": provider,
    }
