"""Two apps in one script: name the app that tokens are minted for."""

# --8<-- [start:for-app]
from sanic import Sanic, json

from sanic_jwt_extended import JWT, ConfigurationError, set_access_cookies


def build(name: str) -> Sanic:
    app = Sanic(name)
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = f"the-{name}-secret-change-me-to-32-random-bytes"
        jwt.config.default_iss = name
    return app


shop = build("shop")
blog = build("blog")

try:
    JWT.create_access_token("alice")  # which app? there are two
except ConfigurationError as exc:
    print(exc)

token = JWT.for_app(shop).create_access_token("alice")  # signed with shop's keys
print(shop.ctx.jwt.manager.decode(token).iss)

response = json({})
with JWT.for_app(shop):  # everything in the block acts for shop
    set_access_cookies(response, token)
print(sorted(cookie.key for cookie in response.cookies.cookies))
# --8<-- [end:for-app]
