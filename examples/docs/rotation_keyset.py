"""A key set: two ES256 keys as specs naming PEM files, and an HMAC key as a JWK.

Run it where rotation_session.sh wrote keys/ (the docs tests do).
"""

# --8<-- [start:keyset]
from pathlib import Path

from jwt_core import Config, TokenManager

config = Config(
    keys=[
        # a spec: kid, alg, and secret_key | private_key | public_key
        {"kid": "2025-06", "alg": "ES256", "private_key": Path("keys/2025-06.pem")},
        {"kid": "2024-11", "alg": "ES256", "public_key": Path("keys/2024-11.pub.pem")},
        # a JWK (RFC 7517) is a spec too; kid and alg are required
        {
            "kty": "oct",
            "kid": "legacy",
            "alg": "HS256",
            "k": "bGVnYWN5LXNlY3JldC1vZi10aGUtZmlyc3Qta2V5LTAxMjM0NTY3ODlhYmNkZWY",
        },
    ],
    signing_key_id="2025-06",
)
tm = TokenManager(config)
# --8<-- [end:keyset]
