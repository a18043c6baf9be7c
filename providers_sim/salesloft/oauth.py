"""Salesloft's OAuth token endpoint: ``POST /oauth/token`` with a refresh token.

The request is JSON ``{client_id, client_secret, grant_type: "refresh_token",
refresh_token}``; the response is ``{access_token, token_type, expires_in, refresh_token,
created_at}``. Each refresh token works once, because every refresh issues a new one. A
refresh token that was already used, or that the simulator never issued (in strict
mode), is a 400 ``invalid_grant``. In sandbox mode an unknown refresh token opens the
account of that name, as an unknown bearer token does.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from providers_sim.native import NativeRequest, NativeResponse

if TYPE_CHECKING:
    from .simulator import SalesloftSimulator

ACCESS_TOKEN_SECONDS = 7200


def token_key(document: Mapping[str, Any]) -> list[str]:
    return [document["refresh_token"]]


def _oauth_error(status: int, code: str, description: str) -> NativeResponse:
    return NativeResponse(status, {"error": code, "error_description": description})


def issue_refresh_token(simulator: SalesloftSimulator, account: str) -> str:
    """Issue a live refresh token for ``account`` (for fixtures and tests)."""
    token = "rt_" + secrets.token_urlsafe(24)
    simulator.refresh_tokens.insert({"refresh_token": token, "account": account, "used": False})
    return token


def refresh_access_token(simulator: SalesloftSimulator, request: NativeRequest) -> NativeResponse:
    body = request.json if isinstance(request.json, Mapping) else {}
    values = {
        name: body.get(name) or request.param(name)
        for name in ("grant_type", "refresh_token", "client_id", "client_secret")
    }
    if values["grant_type"] != "refresh_token":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be refresh_token")
    if not values["client_id"] or not values["client_secret"]:
        return _oauth_error(401, "invalid_client", "client_id and client_secret are required")
    refresh_token = values["refresh_token"]
    if not isinstance(refresh_token, str) or not refresh_token:
        return _oauth_error(400, "invalid_request", "refresh_token is required")

    tokens = simulator.refresh_tokens
    found = tokens.find("token", refresh_token)
    if found:
        record = tokens.get(found[0])
        assert record is not None
        if record["used"]:
            return _oauth_error(400, "invalid_grant", "The refresh token is invalid, expired or already used")
        tokens.update(found[0], {"used": True})
        account = record["account"]
    else:
        opened = None if simulator.strict_accounts else simulator.account_for(refresh_token)
        if opened is None:
            return _oauth_error(400, "invalid_grant", "The refresh token is invalid, expired or already used")
        tokens.insert({"refresh_token": refresh_token, "account": opened, "used": True})
        account = opened

    access_token = "at_" + secrets.token_urlsafe(24)
    simulator.add_credential(access_token, account)
    return NativeResponse(
        200,
        {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": issue_refresh_token(simulator, account),
            "scope": "",
            "created_at": int(simulator.clock.now().timestamp()),
        },
    )
