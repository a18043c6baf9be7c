"""Outreach's OAuth token endpoint: ``POST /oauth/token`` with a refresh token.

A refresh returns a new access token and a new refresh token, and the old refresh token
stops working. An unknown, used or missing refresh token is a 400 ``invalid_grant``, which is
how a client learns that the connection must be authorised again. Error bodies follow
RFC 6749 section 5.2 (``{"error", "error_description"}``), not JSON:API.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from ..native import NativeRequest, NativeResponse
from ..store import Store

TOKEN_PATH = "/oauth/token"
# Outreach access tokens live two hours.
ACCESS_TOKEN_SECONDS = 7200


class RefreshTokens:
    """The live refresh tokens of one simulator and the accounts they open."""

    def __init__(self, store: Store, vendor: str) -> None:
        self._tokens = store.collection(f"{vendor}/refresh_tokens", indexes={"token": lambda doc: [doc["token"]]})
        self._lock = store.lock

    def issue(self, account: str, token: str | None = None) -> str:
        """Store a refresh token for ``account`` and return it."""
        token = token or secrets.token_urlsafe(32)
        with self._lock:
            self._tokens.insert({"token": token, "account": account})
        return token

    def redeem(self, token: str) -> str | None:
        """Use up ``token`` and return its account, or None when it is not live."""
        with self._lock:
            found = self._tokens.find("token", token)
            if not found:
                return None
            account = self._tokens.get(found[0])["account"]  # type: ignore[index]
            self._tokens.remove(found[0])
            return str(account)


def token_endpoint(request: NativeRequest, tokens: RefreshTokens, grant: Callable[[str, str], None]) -> NativeResponse:
    """Handle a refresh-token grant. ``grant(access_token, account)`` registers the new token."""
    body: Any = request.json if isinstance(request.json, dict) else {}
    if not body.get("client_id") or not body.get("client_secret"):
        return _oauth_error("invalid_request", "client_id and client_secret are required.")
    if body.get("grant_type") != "refresh_token":
        return _oauth_error(
            "unsupported_grant_type", f"grant_type must be 'refresh_token'; got {body.get('grant_type')!r}."
        )
    refresh_token = body.get("refresh_token")
    account = tokens.redeem(refresh_token) if isinstance(refresh_token, str) else None
    if account is None:
        return _oauth_error("invalid_grant", "The refresh token is invalid, expired, revoked or already used.")

    access_token = secrets.token_urlsafe(32)
    grant(access_token, account)
    return NativeResponse(
        200,
        {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": tokens.issue(account),
        },
    )


def _oauth_error(error: str, description: str) -> NativeResponse:
    return NativeResponse(400, {"error": error, "error_description": description})
