"""Setting options, and the errors a configuration mistake gives at once."""

# --8<-- [start:block]
from datetime import timedelta

from sanic import Sanic

from jwt_core import Config, ConfigurationConflictError, TokenManager
from sanic_jwt_extended import JWT

app = Sanic("configuration-basics")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.access_token_expires = timedelta(minutes=5)
    jwt.config.token_location = ("headers", "cookies")
    jwt.config.use_acl = True
print(JWT.config.access_token_expires, JWT.config.token_location)
# --8<-- [end:block]

# --8<-- [start:frozen]
try:
    JWT.config.algorithm = "HS512"  # the block has closed: the configuration is frozen
except ConfigurationConflictError as exc:
    print(exc)
# --8<-- [end:frozen]

# --8<-- [start:typo]
try:
    Config(secret_key="change-me-to-at-least-32-random-bytes-please", acces_token_expires=60)
except ConfigurationConflictError as exc:
    print(exc)
# --8<-- [end:typo]

# --8<-- [start:checked]
for options in (
    {"algorithm": "HS256"},  # no secret_key
    {"algorithm": "none", "secret_key": "x" * 32},
    {"algorithm": "RS256", "secret_key": "x" * 32},  # no private/public key
    {"secret_key": "x" * 32, "leeway": -5},
):
    try:
        TokenManager(Config(**options))
    except ConfigurationConflictError as exc:
        print(exc)
# --8<-- [end:checked]
