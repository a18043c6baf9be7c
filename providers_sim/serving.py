"""Run simulators as native HTTP servers (one port per vendor), with uvicorn.

``python -m providers_sim serve --provider outreach --port 9001`` serves one vendor;
``--provider all`` serves Apollo, Outreach and Salesloft on three consecutive ports.
The simulators share one store, in memory unless ``--data-file`` names a JSON file.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import math
import sys
from collections.abc import Sequence

from .base import RateLimit, Simulator
from .http import native_app
from .store import Store

logger = logging.getLogger(__name__)

SIMULATORS = {
    "apollo": "providers_sim.apollo:ApolloSimulator",
    "outreach": "providers_sim.outreach:OutreachSimulator",
    "salesloft": "providers_sim.salesloft:SalesloftSimulator",
}
# Path prefix of each native API below the server root, for the printed URLs.
API_ROOTS = {"apollo": "/v1", "outreach": "/api/v2", "salesloft": "/v2"}


def build_simulator(provider: str, store: Store, *, strict_accounts: bool = False, rate_limit: RateLimit | None = None) -> Simulator:
    """Create the simulator of ``provider`` on ``store``."""
    module_name, _, class_name = SIMULATORS[provider].partition(":")
    simulator_class = getattr(importlib.import_module(module_name), class_name)
    return simulator_class(store, strict_accounts=strict_accounts, rate_limit=rate_limit)  # type: ignore[no-any-return]


def _tcp_port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65533:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65533, got {text!r}")
    return int(text)


def _parse_rate_limit(text: str | None) -> RateLimit | None:
    if not text:
        return None
    count, _, window = text.partition("/")
    try:
        limit = RateLimit(int(count), float(window or 60))
    except ValueError:
        limit = None
    if limit is None or limit.limit < 1 or not math.isfinite(limit.window) or limit.window <= 0:
        raise argparse.ArgumentTypeError(f"invalid rate limit {text!r}: use REQUESTS/SECONDS, for example 600/60")
    return limit


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``sim serve`` to ``parser``."""
    parser.add_argument("--provider", required=True, choices=[*SIMULATORS, "all"], help="Vendor to simulate, or all three.")
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1).")
    parser.add_argument(
        "--port", type=_tcp_port, default=9001, help="TCP port; with --provider all, apollo, outreach and salesloft take PORT, PORT+1, PORT+2 (default: 9001)."
    )
    parser.add_argument("--data-file", help="Keep the simulators' records in this JSON file (default: in memory).")
    parser.add_argument(
        "--strict-accounts",
        action="store_true",
        help="Respond 401 to credentials that were not issued, instead of opening a sandbox account for them.",
    )
    parser.add_argument(
        "--rate-limit",
        type=_parse_rate_limit,
        help="Requests allowed per account and window, as REQUESTS/SECONDS (default: no limit).",
    )
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])


def serve(args: argparse.Namespace) -> int:
    """Serve the chosen simulators until interrupted; flush the data file on the way out."""
    import uvicorn

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    providers = list(SIMULATORS) if args.provider == "all" else [args.provider]
    store = Store(args.data_file)
    rate_limit = args.rate_limit
    servers = []
    for offset, provider in enumerate(providers):
        simulator = build_simulator(provider, store, strict_accounts=args.strict_accounts, rate_limit=rate_limit)
        port = args.port + offset
        config = uvicorn.Config(native_app(simulator), host=args.host, port=port, log_level=args.log_level, access_log=False)
        servers.append(uvicorn.Server(config))
        print(f"{provider} simulator at http://{args.host}:{port}{API_ROOTS[provider]}", flush=True)
    try:
        asyncio.run(_serve_all(servers))
    finally:
        store.close()
    return 0


async def _serve_all(servers: list) -> None:  # type: ignore[type-arg]
    await asyncio.gather(*(server.serve() for server in servers))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m providers_sim", description="Serve vendor simulators as native HTTP APIs.")
    commands = parser.add_subparsers(dest="command", required=True)
    add_serve_arguments(commands.add_parser("serve", help="Serve one simulator, or all three."))
    args = parser.parse_args(argv)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
