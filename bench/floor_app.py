"""The framework floor: a bare Connexion Flask app serving the same ``openapi.yaml``.

Every operation returns a constant body, so a benchmark of this app measures what
Connexion, Flask and uvicorn cost per request before any of our code runs.
Run it with ``python -m bench.floor_app PORT``.
"""

from __future__ import annotations

import sys
from typing import Any

import flask
from connexion import FlaskApp
from connexion.lifecycle import ConnexionRequest
from connexion.resolver import Resolver
from connexion.security import SECURITY_HANDLERS, ApiKeySecurityHandler

from mock_server.app import load_spec

CONSTANT = b'{"pagination":{"next":null,"previous":null},"records":[]}'


def constant_handler(*_: Any, **__: Any) -> flask.Response:
    return flask.Response(CONSTANT, status=200, mimetype="application/json")


class AcceptingApiKeyHandler(ApiKeySecurityHandler):
    """Accepts any API key: the spec's scheme names no Connexion verification function."""

    def get_fn(self, security_scheme: dict[str, Any], required_scopes: Any) -> Any:
        def verified(_request: ConnexionRequest) -> dict[str, str]:
            return {"sub": "x-api-key"}

        return verified


def create_floor_app() -> FlaskApp:
    app = FlaskApp(__name__)
    # The spec's x-api-key scheme has no Connexion verification function; accept any key,
    # as the sandbox's pipeline does before Connexion receives the request.
    app.add_api(
        load_spec(),
        base_path="/engagement/v2",
        resolver=Resolver(function_resolver=lambda _: constant_handler),
        security_map={**SECURITY_HANDLERS, "apiKey": AcceptingApiKeyHandler},
    )
    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(create_floor_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
