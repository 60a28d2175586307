"""The app's own hooks: load the user behind a token, add claims, check every verified token.

Registered inside the `JWT.initialize(app)` block, like the configuration, and frozen with it:

```python
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "..."
    jwt.user_loader(find_user)             # (token) -> user, or None: refused (401)
    jwt.additional_claims_loader(claims)   # (identity) -> private claims for every new token
    jwt.token_verification_loader(check)   # (token) -> True to accept, anything else refuses
```

The user loader and the verification hook may be plain or async functions: whatever they
return that is awaitable is awaited. A verification hook accepts a token only by returning
exactly `True`; `False`, `None`, a truthy object or an un-awaited coroutine refuses it, so a
forgotten `await` can never let every token through. The claims loader runs inside the
synchronous `create_*` calls, so it must be a plain function returning a mapping.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from inspect import isawaitable, iscoroutine, iscoroutinefunction
from typing import Any, TypeAlias

from jwt_core import (
    ConfigFrozenError,
    ConfigurationConflictError,
    Token,
    TokenVerificationError,
    UserNotFoundError,
)

__all__ = ["ClaimsLoader", "Hooks", "TokenVerifier", "UserLoader"]

logger = logging.getLogger("sanic_jwt_extended")

# (token) -> the app's user, or None when there is none; plain or async.
UserLoader: TypeAlias = Callable[[Token], Any]
# (identity) -> private claims added to every token minted for the app; plain only.
ClaimsLoader: TypeAlias = Callable[[Any], Mapping[str, Any]]
# (token) -> True to accept it; plain or async. Anything but True refuses.
TokenVerifier: TypeAlias = Callable[[Token], "bool | Awaitable[bool]"]

_NAMES = ("user_loader", "claims_loader", "token_verifier")


def _discard(value: object) -> None:
    """Close an un-awaited coroutine, so Python does not warn that it was never awaited."""
    if iscoroutine(value):
        value.close()


class Hooks:
    """One app's hooks; each is None until registered, and none can be set after startup."""

    __slots__ = ("_frozen", "active", *_NAMES)

    user_loader: UserLoader | None
    claims_loader: ClaimsLoader | None
    token_verifier: TokenVerifier | None
    # Whether a verified token has anything more to go through (a loader or a verifier).
    active: bool
    _frozen: bool

    def __init__(self) -> None:
        for name in _NAMES:
            object.__setattr__(self, name, None)
        object.__setattr__(self, "active", False)
        object.__setattr__(self, "_frozen", False)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("register hooks with jwt.user_loader(...) and the like")

    def register(self, name: str, hook: Any) -> None:
        """Set the hook `name`; refused after the initialize block or for a non-function."""
        if self._frozen:
            raise ConfigFrozenError(
                f"{name} is registered inside the `with JWT.initialize(app)` block, not after it"
            )
        if not callable(hook):
            raise ConfigurationConflictError(f"{name} must be a function, not {hook!r}")
        if name == "claims_loader" and iscoroutinefunction(hook):
            raise ConfigurationConflictError(
                "additional_claims_loader must be a plain function: create_access_token() and "
                "create_refresh_token() are synchronous and cannot await it"
            )
        object.__setattr__(self, name, hook)
        active = self.user_loader is not None or self.token_verifier is not None
        object.__setattr__(self, "active", active)

    def freeze(self) -> None:
        """No more registrations: the app has started."""
        object.__setattr__(self, "_frozen", True)

    def claims(self, identity: Any, private_claims: Mapping[str, Any] | None) -> Any:
        """The private claims of a new token: the loader's, then the call's own on top."""
        loader = self.claims_loader
        if loader is None:
            return private_claims
        loaded = loader(identity)
        if not isinstance(loaded, Mapping):
            _discard(loaded)
            raise ConfigurationConflictError(
                "additional_claims_loader must return a mapping of claim names to values, "
                f"not {type(loaded).__name__}"
            )
        if not private_claims:
            return loaded
        return {**loaded, **private_claims}

    async def verify(self, token: Token) -> None:
        """Run the verification hook: refuse unless it answers exactly True."""
        verifier = self.token_verifier
        if verifier is None:
            return
        answer = verifier(token)
        if isawaitable(answer):
            answer = await answer
        if answer is True:
            return
        if answer is not False:
            _discard(answer)
            logger.warning(
                "token_verification_loader returned %s, not True or False: the token is "
                "refused (a forgotten await?)",
                type(answer).__name__,
            )
        raise TokenVerificationError("the token was refused by the app's verification")

    async def load_user(self, token: Token) -> Any:
        """Run the user loader: its user, or UserNotFoundError when it finds none."""
        loader = self.user_loader
        if loader is None:
            return None
        user = loader(token)
        if isawaitable(user):
            user = await user
        if isawaitable(user):
            _discard(user)
            raise ConfigurationConflictError(
                "user_loader returned an awaitable that returned another awaitable; "
                "await it inside the loader"
            )
        if user is None:
            raise UserNotFoundError("the token's user was not found")
        return user
