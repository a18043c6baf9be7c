"""Child processes for the HTTP-transport tests: native simulators and the unified API.

``SimulatorServers`` runs ``python -m providers_sim serve --provider all`` on three
consecutive loopback ports, and ``ControlServer`` runs one simulator with test control
endpoints (``tests.native_http.control_server``). ``ChildServer`` runs any other module, such
as the unified API (``python -m mock_server serve``). Each process listens on 127.0.0.1 only
and is stopped by the pid it was started with.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from mock_server.providers import Provider
from mock_server.settings import HttpBackend, Settings

ROOT = Path(__file__).resolve().parents[2]
# Order of the simulators on the ports of ``serve --provider all``: PORT, PORT+1, PORT+2.
PORT_OFFSETS = {Provider.APOLLO: 0, Provider.OUTREACH: 1, Provider.SALESLOFT: 2}
# A path that each simulator serves without a credential, to poll for readiness (a native
# 401 shows that the server is up).
READY_PATHS = {Provider.APOLLO: "/v1/email_accounts", Provider.OUTREACH: "/api/v2/users", Provider.SALESLOFT: "/v2/me"}


def free_port_run(length: int = 3, attempts: int = 50) -> int:
    """Return the first of ``length`` consecutive loopback ports that were all free a moment ago."""
    for _ in range(attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + length > 65535:
            continue
        if all(_bindable(first + offset) for offset in range(1, length)):
            return first
    raise RuntimeError(f"Found no {length} consecutive free ports on 127.0.0.1 in {attempts} attempts")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ChildServer:
    """A ``python -m <module>`` child process, stopped by the pid it was started with."""

    def __init__(self, module: str, args: list[str], ready_urls: list[str]) -> None:
        self._command = [sys.executable, "-m", module, *args]
        self._ready_urls = ready_urls
        self.process: subprocess.Popen[bytes] | None = None
        self.output = ""

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(
            self._command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        pending = list(self._ready_urls)
        while pending:
            if self.process.poll() is not None:
                self.output = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"{self._command[2]} exited with {self.process.returncode}:\n{self.output}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self._command[2]} did not respond at {pending[0]} within {timeout} s")
            try:
                httpx.get(pending[0], timeout=1.0)
                pending.pop(0)
            except httpx.TransportError:
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server was not started"
        return self.process.pid

    def stop(self, timeout: float = 15.0) -> int | None:
        """Terminate the process by its pid and return its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.output = self.process.stdout.read().decode(errors="replace")
            self.process.stdout.close()
        return self.process.returncode


class SimulatorServers(ChildServer):
    """The three native simulators served by one ``python -m providers_sim`` process."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port_run()
        args = ["serve", "--provider", "all", "--port", str(self.port), "--log-level", "warning", *extra]
        ready = [self.root_url(provider) + READY_PATHS[provider] for provider in Provider]
        super().__init__("providers_sim", args, ready)

    def root_url(self, provider: Provider) -> str:
        """Return the scheme, host and port that serve ``provider``, without an API prefix."""
        return f"http://127.0.0.1:{self.port + PORT_OFFSETS[provider]}"

    def backends(self) -> dict[Provider, HttpBackend]:
        """Return HTTP backends without credentials, so each connection is its own vendor account."""
        return {provider: HttpBackend(self.root_url(provider), timeout=10.0) for provider in Provider}


@contextmanager
def serving_simulators(*extra: str) -> Iterator[SimulatorServers]:
    """Serve the three simulators for the duration of the block."""
    servers = SimulatorServers(*extra)
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()


def http_settings(servers: SimulatorServers, **overrides: object) -> Settings:
    """Return sandbox settings whose three providers use the HTTP transport to ``servers``."""
    return Settings(http_backends=servers.backends(), **overrides)  # type: ignore[arg-type]


class ControlServer(ChildServer):
    """One simulator served by ``tests.native_http.control_server``, with its control endpoints."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.port = free_port_run(1)
        self.root_url = f"http://127.0.0.1:{self.port}"
        args = ["--provider", provider.value, "--port", str(self.port)]
        super().__init__("tests.native_http.control_server", args, [self.root_url + READY_PATHS[provider]])

    def _control(self, action: str, body: dict[str, object]) -> dict[str, object]:
        response = httpx.post(f"{self.root_url}/_control/{action}", json=body, timeout=10.0)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def issue_refresh_token(self, account: str, token: str | None = None) -> str:
        """Issue a live refresh token for ``account`` and return it."""
        return str(self._control("refresh_tokens", {"account": account, "token": token})["refresh_token"])

    def inject_faults(self, account: str, *responses: dict[str, object]) -> None:
        """Make ``responses`` (status, body, headers) the responses to the next native requests of ``account``."""
        self._control("faults", {"account": account, "responses": list(responses)})

    def stall(self, seconds: float, count: int = 1) -> None:
        """Hold each of the next ``count`` native requests for ``seconds``."""
        self._control("stall", {"seconds": seconds, "count": count})


@contextmanager
def serving_control(provider: Provider) -> Iterator[ControlServer]:
    """Serve one simulator with control endpoints for the duration of the block."""
    server = ControlServer(provider)
    server.start()
    try:
        yield server
    finally:
        server.stop()
