"""The Connexion application that serves ``openapi.yaml`` under ``/engagement/v2``."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import yaml
from connexion import FlaskApp
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.validators import VALIDATOR_MAP
from starlette.exceptions import HTTPException

from . import errors
from .admin import admin_blueprint
from .connections import Sandbox
from .inline import use_inline_wsgi
from .operations import HANDLERS
from .pipeline import EngagementPipeline, RequestLogMiddleware, SpecPaths
from .settings import Settings

logger = logging.getLogger(__name__)

BASE_PATH = "/engagement/v2"
SPEC_ENV = "ENGAGEMENT_MOCK_SPEC"


def spec_path() -> Path:
    """Return the path of ``openapi.yaml`` (the repository root, or ``$ENGAGEMENT_MOCK_SPEC``)."""
    override = os.environ.get(SPEC_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "openapi.yaml"


def load_spec() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # type: ignore[no-any-return]


_STATUS_ERRORS: dict[int, type[errors.UnifiedError]] = {
    400: errors.ValidationError,
    401: errors.UnauthorizedError,
    403: errors.ForbiddenError,
    404: errors.NotFoundError,
    405: errors.MethodNotAllowedError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.TooManyRequestsError,
    501: errors.NotImplementedUnifiedError,
}


def _error_response(error: errors.UnifiedError, application_name: str | None) -> ConnexionResponse:
    if error.http_status >= 500:
        logger.error("%s %s: %s", error.http_status, error.code, error.title)
    return ConnexionResponse(
        status_code=error.http_status,
        mimetype="application/json",
        body=json.dumps(error.to_body(application_name)),
        headers=dict(error.headers),
    )


def create_app(settings: Settings | None = None, sandbox: Sandbox | None = None) -> FlaskApp:
    """Build the sandbox server: the unified API, Swagger UI and the admin endpoints."""
    settings = settings or Settings()
    sandbox = sandbox or Sandbox(settings)
    spec = load_spec()
    application_name = settings.application_name

    def on_unified_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, errors.UnifiedError)
        return _error_response(exc, application_name)

    def on_problem(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        status: int = getattr(exc, "status", None) or getattr(exc, "status_code", None) or 500
        detail = getattr(exc, "detail", None) or getattr(exc, "title", None) or "Request failed"
        if status == 415:
            error: errors.UnifiedError = errors.ValidationError(
                "Unsupported content type",
                detail=f"{detail}. Send the body as application/json.",
                pointer="/headers/content-type",
            )
        else:
            error_class = _STATUS_ERRORS.get(status, errors.InternalServerError)
            headers = dict(getattr(exc, "headers", None) or {})
            error = error_class(str(detail), status=status if status in _STATUS_ERRORS else None, headers=headers)
        return _error_response(error, application_name)

    def on_exception(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        logger.exception("Unhandled error while serving a request", exc_info=exc)
        error = errors.InternalServerError("Internal Server Error", detail=str(exc) or "Internal Server Error")
        return _error_response(error, application_name)

    validator_map = dict(VALIDATOR_MAP)
    validator_map["parameter"] = _parameter_validator()
    validator_map["body"] = MediaTypeDict({"*/*json": _body_validator()})

    app = FlaskApp(__name__, specification_dir=str(spec_path().parent), middlewares=_middlewares(settings))
    app.add_middleware(RequestLogMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION)
    app.add_middleware(
        EngagementPipeline,
        position=MiddlewarePosition.BEFORE_ROUTING,
        sandbox=sandbox,
        spec_paths=SpecPaths(spec["paths"]),
        base_path=BASE_PATH,
    )
    app.add_api(
        spec,
        base_path=BASE_PATH,
        resolver=Resolver(function_resolver=HANDLERS.__getitem__),
        strict_validation=True,
        validate_responses=settings.validate_responses,
        validator_map=validator_map,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=True),
    )
    app.add_error_handler(errors.UnifiedError, on_unified_error)
    app.add_error_handler(ProblemException, on_problem)
    app.add_error_handler(HTTPException, on_problem)
    app.add_error_handler(Exception, on_exception)

    app.app.config["SANDBOX"] = sandbox
    app.app.register_blueprint(admin_blueprint(sandbox))
    if not settings.http_backends:
        use_inline_wsgi(app)
    return app


def _middlewares(settings: Settings) -> list[Any]:
    """Return Connexion's middleware stack without the layers this app does not use.

    ``EngagementPipeline`` checks the API key, so Connexion's security layer only repeats
    that work; the response-validation layer does nothing unless responses are validated.
    Each layer left out saves its cost on every request.
    """
    skipped: set[type] = {SecurityMiddleware}
    if not settings.validate_responses:
        skipped.add(ResponseValidationMiddleware)
    return [middleware for middleware in ConnexionMiddleware.default_middlewares if middleware not in skipped]


def _parameter_validator() -> type:
    from .validation import StrictParameterValidator

    return StrictParameterValidator


def _body_validator() -> type:
    from .validation import PointerJSONBodyValidator

    return PointerJSONBodyValidator
