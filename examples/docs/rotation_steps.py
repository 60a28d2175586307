"""The rotation story: key 2024-11 signs today, 2025-06 replaces it in three steps.

Run it where rotation_session.sh wrote keys/ (the docs tests do).
"""

# --8<-- [start:step0]
import json
from pathlib import Path

from jwt_core import Config, ConfigurationConflictError, JWTDecodeError, TokenManager

old = {"kid": "2024-11", "alg": "ES256", "private_key": Path("keys/2024-11.pem")}
old_public = {"kid": "2024-11", "alg": "ES256", "public_key": Path("keys/2024-11.pub.pem")}
new = {"kid": "2025-06", "alg": "ES256", "private_key": Path("keys/2025-06.pem")}
new_public = {"kid": "2025-06", "alg": "ES256", "public_key": Path("keys/2025-06.pub.pem")}

step0 = TokenManager(Config(keys=[old]))
before = step0.create_access_token("alice")  # header: {"kid": "2024-11", ...}
# --8<-- [end:step0]

# --8<-- [start:step1]
step1 = TokenManager(Config(keys=[old, new_public]))
assert step1.keys.signing.kid == "2024-11"  # the old key still signs
assert step1.decode(before).identity == "alice"
# --8<-- [end:step1]

# --8<-- [start:step2]
step2 = TokenManager(Config(keys=[new, old_public], signing_key_id="2025-06"))
after = step2.create_access_token("alice")  # header: {"kid": "2025-06", ...}
assert step2.decode(before).kid == "2024-11"  # old tokens: still accepted
assert step1.decode(after).kid == "2025-06"  # services still on step 1 accept new ones
# --8<-- [end:step2]

# --8<-- [start:step3]
step3 = TokenManager(Config(keys=[new]))
assert step3.decode(after).identity == "alice"
try:
    step3.decode(before)
except JWTDecodeError as exc:
    print(exc)
# --8<-- [end:step3]

# --8<-- [start:jwks]
issuer = TokenManager(Config(keys=[new, old_public], signing_key_id="2025-06"))
document = json.dumps(issuer.jwks())  # what you publish

verifier = TokenManager(Config(keys=json.loads(document)))
assert not verifier.can_sign
assert verifier.decode(issuer.create_access_token("alice")).kid == "2025-06"
try:
    verifier.create_access_token("alice")
except ConfigurationConflictError as exc:
    print(exc)
# --8<-- [end:jwks]
