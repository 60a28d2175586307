"""Moving from a single EC key to a key set: its tokens carry its thumbprint as kid.

Run it where rotation_session.sh wrote keys/ (the docs tests do).
"""

# --8<-- [start:single]
from pathlib import Path

from jwt_core import Config, TokenManager

single = TokenManager(Config(algorithm="ES256", private_key=Path("keys/2024-11.pem")))
legacy = single.create_access_token("alice")
thumbprint = single.keys.signing.kid

rotating = TokenManager(
    Config(
        keys=[
            {"kid": thumbprint, "alg": "ES256", "public_key": Path("keys/2024-11.pub.pem")},
            {"kid": "2025-06", "alg": "ES256", "private_key": Path("keys/2025-06.pem")},
        ]
    )
)
assert rotating.decode(legacy).identity == "alice"
# --8<-- [end:single]
