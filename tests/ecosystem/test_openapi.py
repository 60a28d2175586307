"""With sanic-ext's OpenAPI on, guarded routes carry security requirements in /docs/openapi.json."""

from __future__ import annotations

from typing import Any

from sanic import Request, Sanic
from sanic.response import json
from sanic.views import HTTPMethodView
from sanic_ext import openapi

from sanic_jwt_extended import (
    JWT,
    Token,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
    token_dependency,
)
from tests.ecosystem.apps import new_app
from tests.support.apps import bearer, initialized

BEARER = {"BearerAuth": []}


def guarded_app(**options: Any) -> Sanic[Any, Any]:
    """An app with one route of each kind: open, required, optional, refresh, class views."""
    app = initialized(new_app(), **options)

    @app.get("/open")
    async def open_route(request: Request) -> Any:
        return json({})

    @app.get("/required")
    @jwt_required
    async def required(request: Request, token: Token) -> Any:
        return json({"identity": token.identity})

    @app.route("/required-post", methods=["POST"])
    @jwt_required(fresh_required=True)
    async def required_post(request: Request, token: Token) -> Any:
        return json({})

    @app.get("/optional")
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> Any:
        return json({})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> Any:
        return json({})

    class Mixed(HTTPMethodView):
        @jwt_required
        async def get(self, request: Request, token: Token) -> Any:
            return json({})

        async def post(self, request: Request) -> Any:
            return json({})

    class Whole(HTTPMethodView):
        decorators = [jwt_required]  # noqa: RUF012 - Sanic's own class attribute

        async def get(self, request: Request, token: Token) -> Any:
            return json({})

        async def put(self, request: Request, token: Token) -> Any:
            return json({})

    app.add_route(Mixed.as_view(), "/mixed")
    app.add_route(Whole.as_view(), "/whole")
    return app


async def spec_of(app: Sanic[Any, Any]) -> dict[str, Any]:
    _, response = await app.asgi_client.get("/docs/openapi.json")
    assert response.status == 200
    spec = response.json
    assert isinstance(spec, dict)
    return spec


def security(spec: dict[str, Any], path: str, method: str) -> Any:
    return spec["paths"][path][method].get("security")


async def test_bearer_scheme_is_registered() -> None:
    spec = await spec_of(guarded_app())
    scheme = spec["components"]["securitySchemes"]["BearerAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert scheme["bearerFormat"] == "JWT"


async def test_each_guarded_operation_requires_it() -> None:
    spec = await spec_of(guarded_app())
    assert security(spec, "/required", "get") == [BEARER]
    assert security(spec, "/required-post", "post") == [BEARER]
    assert security(spec, "/optional", "get") == [{}, BEARER]
    assert security(spec, "/open", "get") is None


async def test_refresh_routes_name_the_refresh_header() -> None:
    spec = await spec_of(guarded_app())
    assert security(spec, "/refresh", "post") == [{"RefreshTokenHeader": []}]
    scheme = spec["components"]["securitySchemes"]["RefreshTokenHeader"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "X-Refresh-Token"


async def test_class_views_method_decorators_and_decorators_attribute() -> None:
    spec = await spec_of(guarded_app())
    assert security(spec, "/mixed", "get") == [BEARER]
    assert security(spec, "/mixed", "post") is None
    assert security(spec, "/whole", "get") == [BEARER]
    assert security(spec, "/whole", "put") == [BEARER]


async def test_cookie_and_query_locations_are_alternatives_and_csrf_is_required_too() -> None:
    spec = await spec_of(guarded_app(token_location=("headers", "cookies", "query_string")))
    schemes = spec["components"]["securitySchemes"]
    assert schemes["AccessTokenCookie"] | {"description": ""} == {
        "type": "apiKey",
        "in": "cookie",
        "name": "access_token_cookie",
        "description": "",
    }
    assert schemes["TokenQuery"]["in"] == "query"
    assert schemes["TokenQuery"]["name"] == "jwt"
    assert schemes["AccessTokenCSRF"]["in"] == "header"
    assert schemes["AccessTokenCSRF"]["name"] == "X-CSRF-Token"
    cookie_only = {"AccessTokenCookie": []}
    with_csrf = {"AccessTokenCookie": [], "AccessTokenCSRF": []}
    query = {"TokenQuery": []}
    assert security(spec, "/required", "get") == [BEARER, cookie_only, query]
    assert security(spec, "/required-post", "post") == [BEARER, with_csrf, query]


async def test_a_renamed_header_is_an_api_key_scheme() -> None:
    spec = await spec_of(guarded_app(jwt_header_key="X-Auth", jwt_header_prefix="JWT"))
    scheme = spec["components"]["securitySchemes"]["AccessTokenHeader"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-Auth")
    assert "X-Auth: JWT <token>" in scheme["description"]
    assert security(spec, "/required", "get") == [{"AccessTokenHeader": []}]


async def test_documenting_twice_adds_nothing_twice() -> None:
    app = guarded_app()
    first = await spec_of(app)
    second = await spec_of(app)  # a second server start runs the listeners again
    assert second["paths"] == first["paths"]
    assert security(second, "/optional", "get") == [{}, BEARER]


async def test_openapi_decorators_below_ours_still_apply() -> None:
    app = initialized(new_app())

    @app.get("/below")
    @jwt_required
    @openapi.summary("Ours wraps the documented view")
    async def below(request: Request, token: Token) -> Any:
        return json({})

    @app.get("/above")
    @openapi.summary("The documented view wraps ours")
    @openapi.secured("BearerAuth")
    @jwt_required
    async def above(request: Request, token: Token) -> Any:
        return json({})

    spec = await spec_of(app)
    assert spec["paths"]["/below"]["get"]["summary"] == "Ours wraps the documented view"
    assert security(spec, "/below", "get") == [BEARER]
    assert spec["paths"]["/above"]["get"]["summary"] == "The documented view wraps ours"
    assert security(spec, "/above", "get") == [BEARER]  # not listed twice


async def test_injected_token_routes_are_documented() -> None:
    app = initialized(new_app())
    app.ext.add_dependency(Token, token_dependency)

    @app.get("/injected")
    async def injected(request: Request, token: Token) -> Any:
        return json({})

    @app.get("/plain")
    async def plain(request: Request) -> Any:
        return json({})

    spec = await spec_of(app)
    assert security(spec, "/injected", "get") == [BEARER]
    assert security(spec, "/plain", "get") is None


async def test_guarded_routes_still_work_with_the_extension_on() -> None:
    app = guarded_app()
    _, response = await app.asgi_client.get(
        "/required", headers=bearer(JWT.for_app(app).create_access_token("alice"))
    )
    assert response.status == 200
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.get("/required")
    assert response.status == 401


async def test_openapi_off_means_no_document_and_no_change() -> None:
    app = guarded_app()
    app.config.OAS = False
    _, response = await app.asgi_client.get("/docs/openapi.json")
    assert response.status == 404
    _, response = await app.asgi_client.get(
        "/required", headers=bearer(JWT.for_app(app).create_access_token("bob"))
    )
    assert response.json == {"identity": "bob"}


async def test_an_app_without_extensions_gets_no_document() -> None:
    app = guarded_app()
    app.config.AUTO_EXTEND = False
    _, response = await app.asgi_client.get("/docs/openapi.json")
    assert response.status == 404
    assert not hasattr(app, "_ext")
