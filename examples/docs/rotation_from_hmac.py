"""Moving from a single HMAC secret to a key set, without logging anybody out."""

# --8<-- [start:one]
from jwt_core import Config, TokenManager

SECRET = "the-secret-of-the-single-key-configuration-0123456789-abcdef"
single = TokenManager(Config(secret_key=SECRET))
legacy = single.create_access_token("alice")  # header: {"alg": "HS256", "typ": "JWT"}

one = TokenManager(Config(keys=[{"kid": "legacy", "alg": "HS256", "secret_key": SECRET}]))
assert one.decode(legacy).identity == "alice"  # no kid, one key: accepted
# --8<-- [end:one]

# --8<-- [start:rotated]
NEW_SECRET = "a-fresh-random-secret-for-2025-0123456789-abcdefghijklmnop"
rotated = TokenManager(
    Config(
        keys=[
            {"kid": "legacy", "alg": "HS256", "secret_key": SECRET},
            {"kid": "2025-06", "alg": "HS256", "secret_key": NEW_SECRET},
        ],
        signing_key_id="2025-06",
    )
)
assert rotated.decode(one.create_access_token("alice")).kid == "legacy"
# --8<-- [end:rotated]
