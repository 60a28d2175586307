"""Options from Sanic's app.config (JWT_<OPTION>) and so from SANIC_JWT_<OPTION> variables."""

# --8<-- [start:app-config]
from sanic import Sanic

from sanic_jwt_extended import JWT

# Sanic copies every SANIC_<NAME> environment variable into app.config.<NAME>, so
# `SANIC_JWT_SECRET_KEY=...` in the environment arrives as app.config.JWT_SECRET_KEY.
app = Sanic("configuration-app-config")
app.config.JWT_ACCESS_TOKEN_EXPIRES = 600  # seconds
app.config.JWT_TOKEN_LOCATION = "headers,cookies"
app.config.JWT_USE_BLACKLIST = "true"
app.config.JWT_BLACKLIST_CLASS = "SQLiteBlacklist"
app.config.JWT_BLACKLIST_INIT_KWARGS = '{"path": "revoked.sqlite3"}'

with JWT.initialize(app) as jwt:
    jwt.config.token_location = ("headers",)  # set in the block: wins over app.config
# --8<-- [end:app-config]

config = JWT.config
print("secret from the environment:", config.secret_key == "from-the-environment-0123456789-abcdef")
print(config.access_token_expires, config.token_location, config.use_blacklist)
print(type(JWT.blacklist).__name__, JWT.blacklist.path.endswith("revoked.sqlite3"))
