"""Admin endpoints of the sandbox under ``/_admin`` (outside the unified API).

They need a valid ``x-api-key`` like the API itself, and act on the connection that the
``x-customer-id`` and ``x-provider-name`` headers name. Errors use the spec's ``errors``
shape.

    PUT  /_admin/syncs/<object>   switch the managed-destination sync of one object
    POST /_admin/sync             forget the connection's cached records
    POST /_admin/seed             load a fixture data set into the connection
    GET  /_admin/snapshot         export the connection's data
    PUT  /_admin/snapshot         replace the connection's data with a snapshot
"""

from __future__ import annotations

import json
from typing import Any

import flask

from .connections import Connection, Sandbox
from .errors import BadRequestError, NotImplementedUnifiedError, UnauthorizedError, UnifiedError, ValidationError
from .seeding import connection_seed, in_process_simulator, parse_seed_request, report_body, seed_connection
from .snapshots import export_snapshot, parse_snapshot, restore_snapshot


def _respond(body: Any, status: int = 200) -> flask.Response:
    return flask.Response(json.dumps(body), status=status, mimetype="application/json")


def admin_blueprint(sandbox: Sandbox) -> flask.Blueprint:
    """Build the blueprint of the admin endpoints for one sandbox."""
    blueprint = flask.Blueprint("admin", __name__, url_prefix="/_admin")

    def connection() -> Connection:
        headers = flask.request.headers
        application_id = sandbox.application_for_key(headers.get("x-api-key", ""))
        if application_id is None:
            raise UnauthorizedError("x-api-key header must name a known application")
        customer_id = headers.get("x-customer-id", "")
        provider = headers.get("x-provider-name", "")
        if not customer_id or not provider:
            raise UnauthorizedError("x-customer-id and x-provider-name headers must be set")
        return sandbox.connection(application_id, customer_id, provider)

    @blueprint.errorhandler(UnifiedError)
    def on_error(error: UnifiedError) -> flask.Response:
        return _respond(error.to_body(sandbox.settings.application_name), error.http_status)

    @blueprint.put("/syncs/<object_name>")
    def set_sync(object_name: str) -> flask.Response:
        """Switch the managed-destination sync of one object on or off: ``{"enabled": bool}``."""
        body = flask.request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("enabled"), bool):
            raise BadRequestError('Send a JSON body {"enabled": true} or {"enabled": false}')
        connection().cache.set_sync(object_name, body["enabled"])
        return _respond({"object": object_name, "enabled": body["enabled"]})

    @blueprint.post("/sync")
    def resync() -> flask.Response:
        """Forget the connection's cache so the next cached read syncs every object again."""
        connection().cache.invalidate()
        return _respond({"synced": False})

    @blueprint.post("/seed")
    def seed() -> flask.Response:
        """Load a fixture data set (``{"preset"?, "counts"?, "seed"?, "locale"?}``) and return 201 with the counts."""
        found = connection()
        request = parse_seed_request(_json_body(), connection_seed(found.customer_id, found.provider))
        report = seed_connection(sandbox, found, request)
        return _respond(report_body(found.provider, found.customer_id, request, report), 201)

    @blueprint.get("/snapshot")
    def get_snapshot() -> flask.Response:
        """Export every table of the connection's vendor account."""
        found = connection()
        simulator = in_process_simulator(sandbox, found.provider)
        with sandbox.store.lock:
            simulator.open_account(found.account)
            snapshot = export_snapshot(sandbox.store, found.provider, found.account)
        return _respond(snapshot)

    @blueprint.put("/snapshot")
    def put_snapshot() -> flask.Response:
        """Replace the connection's data with a snapshot of the same provider."""
        found = connection()
        simulator = in_process_simulator(sandbox, found.provider)
        tables = parse_snapshot(_json_body(), found.provider)
        with found.lock, sandbox.store.lock:
            simulator.open_account(found.account)
            previous = export_snapshot(sandbox.store, found.provider, found.account)
            restored = restore_snapshot(sandbox.store, simulator, found.account, tables)
            found.cache.invalidate()
            problem = _read_back_problem(found)
            if problem is not None:
                restore_snapshot(sandbox.store, simulator, found.account, previous["tables"])
                found.cache.invalidate()
                raise ValidationError(
                    "Invalid snapshot records",
                    detail=f"The snapshot's records cannot be read as {found.provider.value} data ({problem}); "
                    "the connection's data was left as it was.",
                    pointer="/body/tables",
                )
        return _respond({"provider": found.provider.value, "customer_id": found.customer_id, "restored": restored})

    return blueprint


def _read_back_problem(connection: Connection) -> str | None:
    """Read every common object through the adapter; return what failed, or None."""
    for object_name in ("account", "contact", "user", "mailbox", "sequence", "sequence_state"):
        try:
            connection.adapter.sync_records(object_name)
        except NotImplementedUnifiedError:
            continue
        except Exception as exc:  # noqa: BLE001 - any failure means the records are unusable
            return f"reading {object_name} records failed: {type(exc).__name__}: {exc}"
    return None


def _json_body() -> object:
    """Return the parsed JSON body, or None when it is empty; raise a 400 when it is not JSON."""
    request = flask.request
    if not request.get_data(cache=True):
        return None
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise ValidationError("Invalid JSON body", detail="The request body is not valid JSON", pointer="/body")
    return body
