"""Admin endpoints of the sandbox under ``/_admin`` (outside the unified API).

They need a valid ``x-api-key`` like the API itself, and act on the connection that the
``x-customer-id`` and ``x-provider-name`` headers name.
"""

from __future__ import annotations

import json
from typing import Any

import flask

from .connections import Connection, Sandbox
from .errors import BadRequestError, UnauthorizedError, UnifiedError


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

    return blueprint
