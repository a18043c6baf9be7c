"""The ``engagement-mock`` command: serve the sandbox, serve simulators, seed data."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .settings import DEFAULT_API_KEY, Settings

logger = logging.getLogger("mock_server")


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("connexion.security").setLevel(logging.ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagement-mock",
        description="Mock server and provider simulators for the Unified Engagement API v2.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="Serve the unified API on localhost.")
    serve.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1).")
    serve.add_argument("--port", type=int, default=8080, help="TCP port to listen on (default: 8080).")
    serve.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help=f"Accept this x-api-key; repeat for several applications (default: {DEFAULT_API_KEY}).",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="Logging level (default: info).",
    )
    serve.add_argument(
        "--strict-connections",
        action="store_true",
        help="Answer 404 for connections that were not declared, instead of opening them on first use.",
    )
    return parser


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    _configure_logging(args.log_level)
    api_keys = tuple(args.api_keys or [DEFAULT_API_KEY])
    settings = Settings(api_keys=api_keys, strict_connections=args.strict_connections)
    app = create_app(settings)
    sandbox = app.app.config["SANDBOX"]
    base_url = f"http://{args.host}:{args.port}/engagement/v2"
    print(f"Unified Engagement API v2 sandbox at {base_url}", flush=True)
    print(f"Swagger UI at {base_url}/ui/", flush=True)
    if args.api_keys is None:
        print(f"Sandbox API key: {DEFAULT_API_KEY}  (send it as the x-api-key header)", flush=True)
    else:
        print(f"Accepting {len(api_keys)} API key(s) given with --api-key", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    finally:
        sandbox.close()
        logger.info("Server stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
