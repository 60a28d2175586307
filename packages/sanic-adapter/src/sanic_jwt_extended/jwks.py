"""An opt-in route that publishes the app's public JWK Set for other services to verify with."""

from __future__ import annotations

import hashlib
import json

from sanic import HTTPResponse, Request

from sanic_jwt_extended._state import AnyApp, state_of

__all__ = ["JWKS_URI", "add_jwks_route"]

JWKS_URI = "/.well-known/jwks.json"


def add_jwks_route(app: AnyApp, uri: str = JWKS_URI, *, max_age: int = 300) -> None:
    """Serve `TokenManager.jwks()` of `app` at `uri` (GET), cacheable for `max_age` seconds.

    The document holds only public asymmetric keys (never HMAC secrets), so it is safe to
    publish. Responses carry `Cache-Control` and a strong `ETag`; a matching `If-None-Match`
    gets 304. Call it at module level, beside `JWT.initialize(app)`.
    """
    if max_age < 0:
        raise ValueError("max_age must not be negative")
    documents: dict[int, tuple[bytes, str]] = {}  # id(manager) -> (body, etag)

    async def jwks(request: Request) -> HTTPResponse:
        manager = state_of(request.app).require_manager()
        cached = documents.get(id(manager))
        if cached is None:
            body = json.dumps(manager.jwks(), sort_keys=True, separators=(",", ":")).encode()
            cached = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
            documents.clear()  # one manager per app: a new one replaces the old document
            documents[id(manager)] = cached
        body, etag = cached
        headers = {"Cache-Control": f"public, max-age={max_age}", "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return HTTPResponse(status=304, headers=headers)
        return HTTPResponse(body, headers=headers, content_type="application/jwk-set+json")

    app.add_route(jwks, uri, methods=["GET"], name="sanic_jwt_extended_jwks")
