"""Build `Token` objects directly, as the stores see them, without signing anything."""

from __future__ import annotations

import uuid

from jwt_core.token import Token

__all__ = ["make_token"]


def make_token(
    sub: str = "alice",
    *,
    iat: float,
    exp: float | None,
    jti: uuid.UUID | str | None = None,
) -> Token:
    """A verified-looking access token for `sub` issued at `iat`, expiring at `exp` (epoch s)."""
    jti = uuid.uuid4() if jti is None else uuid.UUID(str(jti))
    claims = {"sub": sub, "jti": str(jti), "iat": iat, "nbf": iat, "type": "access"}
    if exp is not None:
        claims["exp"] = exp
    return Token(
        raw_jwt=f"test.{jti.hex}.token",
        raw_data=claims,
        type="access",
        identity=sub,
        sub=sub,
        jti=jti,
        iat=iat,  # as floats, exactly as a decoded token holds them (a datetime rounds to 1 us)
        nbf=iat,
        exp=exp,
        iss=None,
        aud=None,
        role=None,
        fresh=False,
        csrf=None,
        public_claims={},
        private_claims={},
    )
