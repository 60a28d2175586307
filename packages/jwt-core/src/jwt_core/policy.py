"""`Policy`: what a protected view asks of a token; `CsrfProof`: what a request sent for CSRF.

A `Policy` is checked when it is built (roles are strings, allow and deny not both) and once
against the configuration at startup (`check`: roles need `use_acl`), never per request.
`TokenManager.verify(raw, policy, csrf=proof)` applies it.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jwt_core.errors import ConfigurationConflictError, ConfigurationError
from jwt_core.token import TokenType

if TYPE_CHECKING:
    from jwt_core.config import Config

__all__ = ["CsrfProof", "Policy"]

_TOKEN_TYPES = ("access", "refresh")
_LEGACY_OPTIONS = ("token_type", "fresh_required", "allow", "deny")


def _roles(name: str, roles: Collection[str] | str | None) -> tuple[str, ...] | None:
    if roles is None:
        return None
    result = (roles,) if isinstance(roles, str) else tuple(roles)
    if not all(isinstance(role, str) for role in result):
        raise ConfigurationConflictError(f"{name} must be a list of role names (strings)")
    return result


@dataclass(frozen=True, slots=True)
class Policy:
    """What a view asks of a token: its type, freshness, and the roles allowed or denied.

    `allow` and `deny` take role names (a single name is one role) and are kept as tuples;
    giving both is a `ConfigurationConflictError` at once. An empty `allow` admits no one.
    """

    token_type: TokenType = "access"
    fresh_required: bool = False
    allow: Collection[str] | None = None
    deny: Collection[str] | None = None

    def __post_init__(self) -> None:
        if self.token_type not in _TOKEN_TYPES:
            raise ConfigurationConflictError("token_type must be 'access' or 'refresh'")
        allow, deny = _roles("allow", self.allow), _roles("deny", self.deny)
        if allow is not None and deny is not None:
            raise ConfigurationConflictError("use either allow or deny, not both")
        put = object.__setattr__
        put(self, "fresh_required", bool(self.fresh_required))
        put(self, "allow", allow)
        put(self, "deny", deny)

    @property
    def restricts_roles(self) -> bool:
        """Whether the policy names roles (and so needs `use_acl`)."""
        return self.allow is not None or self.deny is not None

    def check(self, config: Config) -> None:
        """Refuse, at startup, a policy `config` cannot honour: roles without `use_acl`."""
        if self.restricts_roles and not config.use_acl:
            raise ConfigurationConflictError("allow/deny need use_acl=True in the configuration")


@dataclass(frozen=True, slots=True)
class CsrfProof:
    """The CSRF value a request sent beside its token, and whether this request must send one.

    The adapter knows both (where the token came from, the request's method and the CSRF
    options); the core only compares, in constant time, when `required`.
    """

    value: str | None
    required: bool = True


def check_role_options(
    allow: Collection[str] | None, deny: Collection[str] | None, *, use_acl: bool | None = None
) -> None:
    """Deprecated: build a `Policy` (checks allow/deny) and call `Policy.check(config)`."""
    warnings.warn(
        "check_role_options is deprecated: build a jwt_core.Policy, then policy.check(config)",
        DeprecationWarning,
        stacklevel=2,
    )
    policy = Policy(allow=allow, deny=deny)
    if use_acl is False and policy.restricts_roles:
        raise ConfigurationConflictError("allow/deny need use_acl=True in the configuration")


def legacy_verify_arguments(
    policy: Any, positional: tuple[Any, ...], options: Mapping[str, Any], csrf: Any
) -> tuple[Policy, CsrfProof | None, ConfigurationError | None]:
    """The `Policy` and `CsrfProof` of a call in `verify`'s pre-Policy form, `verify(raw,
    token_type, fresh_required, allow, deny, *, csrf=..., check_csrf=...)`, with a warning.

    Both allow and deny given is returned as an error to raise after the other checks, where
    that form raised it (a revoked token stays a `RevokedTokenError`).
    """
    warnings.warn(
        "verify(raw, token_type, fresh_required, allow, deny, check_csrf=...) is deprecated: "
        "pass verify(raw, Policy(...), csrf=CsrfProof(value, required))",
        DeprecationWarning,
        stacklevel=3,
    )
    options = dict(options)
    check_csrf = bool(options.pop("check_csrf", False))
    if isinstance(policy, Policy):  # a Policy with old-style extras: its fields are the base
        if positional:
            raise TypeError("verify() takes a Policy or the old positional arguments, not both")
        for name in _LEGACY_OPTIONS:
            options.setdefault(name, getattr(policy, name))
    else:
        positional = (policy, *positional)
    if len(positional) > len(_LEGACY_OPTIONS):
        raise TypeError("verify() takes at most 5 positional arguments after raw")
    for name, value in zip(_LEGACY_OPTIONS, positional, strict=False):
        if name in options:
            raise TypeError(f"verify() got multiple values for argument {name!r}")
        options[name] = value
    unknown = set(options).difference(_LEGACY_OPTIONS)
    if unknown:
        raise TypeError(f"verify() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    proof = CsrfProof(csrf, True) if check_csrf else None
    try:
        return Policy(**options), proof, None
    except ConfigurationError as exc:
        if options.get("allow") is None or options.get("deny") is None:
            raise
        options["allow"] = options["deny"] = None  # checked, and refused, after the rest
        return Policy(**options), proof, exc
