"""A test-only native server with control endpoints, run as a child process.

``python -m tests.native_http.control_server --provider outreach --port 9101`` serves one
simulator natively, as ``python -m providers_sim serve`` does, and adds endpoints under
``/_control`` that reach into the simulator where a test needs exact control:

    POST /_control/refresh_tokens  {"account": A, "token": T?}  → {"refresh_token": ...}
        Issue a live OAuth refresh token for account A (Outreach takes T as its value).
    POST /_control/faults  {"account": A, "responses": [{"status", "body", "headers"?, "content_type"?}]}
        Return these responses, in order, to the next native requests of account A.
    POST /_control/stall  {"seconds": S, "count": N}
        Hold each of the next N native requests for S seconds before answering it.

It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from providers_sim.base import Simulator
from providers_sim.http import native_app
from providers_sim.native import NativeResponse
from providers_sim.serving import SIMULATORS, build_simulator
from providers_sim.store import Store

CONTROL_PREFIX = "/_control"


class Stall:
    """Holds the next ``count`` requests for ``seconds`` each."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seconds = 0.0
        self.count = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.count > 0:
            self.count -= 1
            await asyncio.sleep(self.seconds)
        await self.app(scope, receive, send)


def control_app(simulator: Simulator) -> Starlette:
    """Serve ``simulator`` natively, with the control endpoints of this module."""
    stall = Stall(native_app(simulator))

    async def refresh_tokens(request: Request) -> JSONResponse:
        body = await request.json()
        issue: Any = getattr(simulator, "issue_refresh_token", None)
        if issue is None:
            return JSONResponse({"error": f"{simulator.vendor} has no OAuth refresh tokens"}, status_code=400)
        token = issue(body["account"], body["token"]) if body.get("token") else issue(body["account"])
        return JSONResponse({"refresh_token": token})

    async def faults(request: Request) -> JSONResponse:
        body = await request.json()
        responses = [
            NativeResponse(
                item["status"],
                item.get("body"),
                dict(item.get("headers") or {}),
                item.get("content_type", "application/json"),
            )
            for item in body["responses"]
        ]
        simulator.open_account(body["account"])
        simulator.inject_faults(body["account"], *responses)
        return JSONResponse({"queued": len(responses)})

    async def stall_requests(request: Request) -> JSONResponse:
        body = await request.json()
        stall.seconds = float(body["seconds"])
        stall.count = int(body["count"])
        return JSONResponse({"stalled": stall.count})

    routes = [
        Route(f"{CONTROL_PREFIX}/refresh_tokens", refresh_tokens, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/faults", faults, methods=["POST"]),
        Route(f"{CONTROL_PREFIX}/stall", stall_requests, methods=["POST"]),
        Mount("/", app=stall),
    ]
    return Starlette(routes=routes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve one simulator with test control endpoints.")
    parser.add_argument("--provider", required=True, choices=list(SIMULATORS))
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1.")
    args = parser.parse_args(argv)

    simulator = build_simulator(args.provider, Store())
    uvicorn.run(control_app(simulator), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
