"""The ``engagement-mock`` command: serve the sandbox, seed fixture data, export and import snapshots.

Each subcommand is declared by one ``_add_<name>_command`` function, which sets the
options and the handler that ``main`` runs. A new subcommand adds one such function.
Exit codes: 0 success, 1 a failed seed, snapshot or last write of the data file, 2 invalid
usage, 3 a data file that cannot be loaded.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

from fixtures import DEFAULT_LOCALE, DEFAULT_PRESET, LOCALES, PRESETS

from .adapters.base import RetryPolicy
from .data_commands import EXIT_DATA_FILE, EXIT_FAILED, EXIT_OK, seed_command, snapshot_command
from .protocol import http_protocol
from .providers import Provider
from .settings import DEFAULT_API_KEY, HttpBackend, Settings

if TYPE_CHECKING:
    from .connections import Sandbox

logger = logging.getLogger("mock_server")

DATA_FILE_HELP = (
    "Keep every connection's records in this TinyDB JSON file: load it at start and write it "
    "atomically (a new file replaces the old one) at most once per --flush-interval, and once "
    "more on SIGTERM or SIGINT. After SIGKILL or a crash the file contains the last completed "
    "write, so changes of at most the last flush interval, plus the time one write takes, are lost. "
    "A file that is not a valid data file stops the server with exit code 3."
)

Handler = Callable[[argparse.Namespace], int]

# Young-generation collections every 50,000 allocations instead of 700: request handling
# allocates many short-lived dicts, and frequent collections showed up as latency spikes.
GC_THRESHOLDS = (50_000, 20, 20)


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("connexion.security").setLevel(logging.ERROR)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagement-mock",
        description="Mock server and provider simulators for the Unified Engagement API v2.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_serve_command(commands)
    _add_sim_command(commands)
    _add_seed_command(commands)
    _add_snapshot_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Connexion imports Starlette's test client, which warns about httpx at import time.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


# serve ---------------------------------------------------------------------------------


def _add_serve_command(commands: Any) -> None:
    serve = commands.add_parser("serve", help="Serve the unified API on localhost.")
    serve.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: 127.0.0.1).")
    serve.add_argument("--port", type=tcp_port, default=8080, help="TCP port to listen on (default: 8080).")
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
    serve.add_argument("--data-file", metavar="PATH", help=DATA_FILE_HELP)
    serve.add_argument(
        "--flush-interval",
        type=_non_negative_seconds,
        default=1.0,
        metavar="SECONDS",
        help="Seconds between two writes of --data-file (default: 1.0); 0 writes only at shutdown.",
    )
    serve.add_argument(
        "--fixtures",
        choices=sorted(PRESETS),
        help=(
            "Load this fixture preset into each connection whose vendor account is new, when the "
            "connection is first used; the seed derives from the customer id and the provider."
        ),
    )
    serve.add_argument(
        "--provider-url",
        action="append",
        default=[],
        metavar="PROVIDER=URL",
        type=_provider_url,
        help=(
            "Send this provider's native calls over HTTP to URL (a simulator from `sim serve`, or the "
            "vendor's API) instead of the in-process simulator; repeat per provider. Credentials for a "
            f"real vendor come from the environment: {ENV_PREFIX}<PROVIDER>_TOKEN, _API_KEY, "
            "_REFRESH_TOKEN, _CLIENT_ID, _CLIENT_SECRET and _TOKEN_URL. Without them each connection "
            "sends its own sandbox credential, as simulators expect."
        ),
    )
    serve.add_argument(
        "--retry-attempts", type=_retry_count, default=3, metavar="N", help="Retries of a rate-limited list or search, 0 to 10 (default: 3)."
    )
    serve.add_argument(
        "--retry-base", type=_non_negative_seconds, default=1.0, metavar="SECONDS", help="First backoff wait (default: 1.0)."
    )
    serve.add_argument("--retry-factor", type=_growth_factor, default=2.0, metavar="X", help="Backoff growth per retry, 1 or more (default: 2.0).")
    serve.add_argument(
        "--retry-cap", type=_non_negative_seconds, default=60.0, metavar="SECONDS", help="Maximum wait in seconds, Retry-After included (default: 60)."
    )
    serve.set_defaults(handler=serve_command)


ENV_PREFIX = "ENGAGEMENT_MOCK_"


def tcp_port(text: str) -> int:
    """Parse a TCP port number (1 to 65535)."""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, got {text!r}")
    return int(text)


def _retry_count(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > 10:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 10, got {text!r}")
    return int(text)


def _growth_factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 1:
        raise argparse.ArgumentTypeError(f"must be a number of 1 or more, got {text!r}")
    return value


def _provider_url(text: str) -> tuple[Provider, str]:
    name, separator, url = text.partition("=")
    try:
        provider = Provider(name.strip().lower())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"unknown provider {name!r} in {text!r}; use apollo=URL, outreach=URL or salesloft=URL"
        ) from None
    if not separator or not url.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"expected PROVIDER=URL with an http(s) URL, got {text!r}")
    return provider, url.rstrip("/")


def http_backends(pairs: list[tuple[Provider, str]], environ: dict[str, str] | None = None) -> dict[Provider, HttpBackend]:
    """Build the HTTP backends of ``--provider-url``, with credentials from the environment."""
    environ = dict(os.environ) if environ is None else environ
    backends = {}
    for provider, url in pairs:
        prefix = f"{ENV_PREFIX}{provider.value.upper()}_"
        backends[provider] = HttpBackend(
            base_url=url,
            token=environ.get(prefix + "TOKEN") or None,
            api_key=environ.get(prefix + "API_KEY") or None,
            refresh_token=environ.get(prefix + "REFRESH_TOKEN") or None,
            client_id=environ.get(prefix + "CLIENT_ID") or None,
            client_secret=environ.get(prefix + "CLIENT_SECRET") or None,
            token_url=environ.get(prefix + "TOKEN_URL") or None,
        )
    return backends


# sim -----------------------------------------------------------------------------------


def _add_sim_command(commands: Any) -> None:
    from providers_sim.serving import add_serve_arguments

    sim = commands.add_parser("sim", help="Serve the vendor simulators as native HTTP APIs.")
    actions = sim.add_subparsers(dest="sim_command", required=True)
    serve = actions.add_parser(
        "serve",
        help="Serve one simulator, or all three on consecutive ports.",
        description="Serve Outreach under /api/v2, Salesloft under /v2, Apollo under /v1 and /api/v1.",
    )
    add_serve_arguments(serve)
    serve.set_defaults(handler=_sim_serve_command)


def _sim_serve_command(args: argparse.Namespace) -> int:
    from providers_sim.serving import serve

    return serve(args)


def _non_negative_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds, got {text!r}")
    return value


class _StopRequested(Exception):
    """Raised in the main thread by SIGTERM or SIGINT once uvicorn has shut down."""


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into ``_StopRequested`` while the block runs.

    uvicorn installs its own handlers while it serves, shuts down gracefully on the first
    signal and then raises the same signal again with the handler found before it. Under
    Python's default SIGTERM handler that would end the process before the data file is
    written, so this handler raises an exception that unwinds through ``finally`` blocks.
    """

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise _StopRequested(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from providers_sim.store import DataFileError, Store

    from .app import create_app
    from .connections import Sandbox

    _configure_logging(args.log_level)
    api_keys = tuple(args.api_keys or [DEFAULT_API_KEY])
    if any(not key.strip() for key in api_keys):
        print("engagement-mock: --api-key must not be empty.", file=sys.stderr)
        return 2
    settings = Settings(
        api_keys=api_keys,
        strict_connections=args.strict_connections,
        data_file=args.data_file,
        flush_interval=args.flush_interval,
        fixtures=args.fixtures,
        http_backends=http_backends(args.provider_url),
        retry=RetryPolicy(attempts=args.retry_attempts, base=args.retry_base, factor=args.retry_factor, cap=args.retry_cap),
    )
    with _stop_on_signals():
        try:
            store = Store(settings.data_file, settings.flush_interval)
        except DataFileError as exc:
            print(f"engagement-mock: {exc}. Repair or move the file, or pass another --data-file.", file=sys.stderr)
            return EXIT_DATA_FILE
        except _StopRequested:
            return EXIT_OK
        # The loaded records hold no reference cycles. Moving them out of the cyclic
        # collector's reach saves a full pass over them (0.7 s for 100,000 contacts)
        # whenever the collector runs its oldest generation.
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        sandbox = Sandbox(settings, store)
        try:
            _serve(uvicorn, create_app(settings, sandbox), args, api_keys)
        except _StopRequested as stop:
            logger.info("Stopping on %s", stop)
        finally:
            closed = _close_ignoring_signals(sandbox)
    return EXIT_OK if closed else EXIT_FAILED


def _serve(uvicorn: Any, app: Any, args: argparse.Namespace, api_keys: tuple[str, ...]) -> None:
    base_url = f"http://{args.host}:{args.port}/engagement/v2"
    print(f"Unified Engagement API v2 sandbox at {base_url}", flush=True)
    print(f"Swagger UI at {base_url}/ui/", flush=True)
    if args.api_keys is None:
        print(f"Sandbox API key: {DEFAULT_API_KEY}  (send it as the x-api-key header)", flush=True)
    else:
        print(f"Accepting {len(api_keys)} API key(s) given with --api-key", flush=True)
    if args.data_file:
        print(f"Data file: {args.data_file} (written every {args.flush_interval:g} s and at shutdown)", flush=True)
    for provider, url in args.provider_url:
        print(f"{provider.value} over HTTP at {url}", flush=True)
    config = uvicorn.Config(
        app, host=args.host, port=args.port, log_level=args.log_level, access_log=False, http=http_protocol()
    )
    uvicorn.Server(config).run()


def _close_ignoring_signals(sandbox: Sandbox) -> bool:
    """Write the data file a last time and return whether that worked.

    Further SIGTERM and SIGINT signals are ignored meanwhile, so they cannot interrupt the write.
    """
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        sandbox.close()
    except OSError:
        logger.exception("Failed to write the data file %s at shutdown", sandbox.settings.data_file)
        return False
    else:
        if sandbox.settings.data_file:
            logger.info("Wrote the data file %s", sandbox.settings.data_file)
        logger.info("Server stopped")
        return True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# seed ----------------------------------------------------------------------------------


def _add_target_options(command: argparse.ArgumentParser, *, provider_all: bool) -> None:
    """Add the options that name a connection and where its data is: a data file or a server."""
    target = command.add_mutually_exclusive_group(required=True)
    target.add_argument("--data-file", metavar="PATH", help="Work on this data file (no server may be using it).")
    target.add_argument("--server", metavar="URL", help="Work on the server at this URL, e.g. http://127.0.0.1:8080.")
    command.add_argument(
        "--api-key",
        default=DEFAULT_API_KEY,
        metavar="KEY",
        help=f"The application's x-api-key; it also names the data of --data-file (default: {DEFAULT_API_KEY}).",
    )
    command.add_argument("--customer-id", required=True, metavar="ID", help="The x-customer-id of the connection.")
    providers = [provider.value for provider in Provider] + (["all"] if provider_all else [])
    command.add_argument(
        "--provider",
        required=not provider_all,
        default="all" if provider_all else None,
        choices=providers,
        help="The x-provider-name of the connection" + (" (default: all three)." if provider_all else "."),
    )


def _add_seed_command(commands: Any) -> None:
    seed = commands.add_parser(
        "seed",
        help="Load a fixture data set into a customer's connections.",
        description=(
            "Generate realistic, reproducible vendor records (users, mailboxes, accounts, contacts, "
            "sequences with steps and templates, sequence states) and load them into a data file or "
            "a running server. The same seed, counts and locale give the same records."
        ),
    )
    seed.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=sorted(PRESETS),
        help=f"Counts to start from (default: {DEFAULT_PRESET}).",
    )
    seed.add_argument(
        "--counts",
        metavar="KEY=N,...",
        help="Override counts of the preset: users, accounts, contacts, sequences, steps (N or MIN-MAX), states.",
    )
    seed.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="Seed of the data set (default: derived from the customer id and the provider, as --fixtures does).",
    )
    seed.add_argument(
        "--locale",
        default=DEFAULT_LOCALE,
        choices=sorted(LOCALES),
        help=f"Locale of names, addresses and phone numbers (default: {DEFAULT_LOCALE}).",
    )
    _add_target_options(seed, provider_all=True)
    seed.set_defaults(handler=seed_command)


# snapshot ------------------------------------------------------------------------------


def _add_snapshot_command(commands: Any) -> None:
    snapshot = commands.add_parser(
        "snapshot",
        help="Export or import one connection's data as a JSON snapshot.",
        description=(
            "A snapshot holds every table of one connection's vendor account. Importing replaces "
            "that account's tables; a snapshot of another provider is rejected."
        ),
    )
    actions = snapshot.add_subparsers(dest="action", required=True)
    export = actions.add_parser("export", help="Write the connection's data as a snapshot.")
    export.add_argument("--output", default="-", metavar="FILE", help="Snapshot file to write (default: stdout).")
    _add_target_options(export, provider_all=False)
    restore = actions.add_parser("import", help="Replace the connection's data with a snapshot.")
    restore.add_argument("--input", default="-", metavar="FILE", help="Snapshot file to read (default: stdin).")
    _add_target_options(restore, provider_all=False)
    snapshot.set_defaults(handler=snapshot_command)


if __name__ == "__main__":
    sys.exit(main())
