"""`Policy` and `CsrfProof`: what a view asks, checked once when built and once at startup;
`verify(raw, policy, csrf=proof)`; the pre-Policy calls keep working and warn."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

import jwt_core
from jwt_core import (
    AccessDeniedError,
    Config,
    ConfigurationConflictError,
    ConfigurationError,
    CSRFError,
    CsrfProof,
    FreshTokenRequiredError,
    Policy,
    TokenManager,
    WrongTokenError,
)
from tests.core.conftest import MakeManager


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(use_acl=True, csrf_claim=True)


# -- built once, checked once ---------------------------------------------------------------
def test_allow_and_deny_together_are_refused_when_the_policy_is_built() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        Policy(allow=["ADMIN"], deny=["GUEST"])


@pytest.mark.parametrize("roles", [[1], ["ADMIN", None]], ids=["int", "none"])
def test_roles_must_be_strings(roles: list[object]) -> None:
    with pytest.raises(ConfigurationConflictError, match="role names"):
        Policy(allow=roles)  # type: ignore[list-item]


def test_a_token_type_is_access_or_refresh() -> None:
    with pytest.raises(ConfigurationConflictError, match="token_type"):
        Policy("id")  # type: ignore[arg-type]


def test_roles_are_kept_as_tuples_and_one_name_is_one_role() -> None:
    assert Policy(allow="ADMIN").allow == ("ADMIN",)
    assert Policy(deny={"GUEST"}).deny == ("GUEST",)
    assert Policy(allow=[]).allow == ()
    policy = Policy("refresh", fresh_required=1)  # type: ignore[arg-type]
    assert (policy.token_type, policy.fresh_required, policy.restricts_roles) == (
        "refresh",
        True,
        False,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.allow = ("ADMIN",)  # type: ignore[misc]


def test_check_against_the_configuration_needs_use_acl_for_roles() -> None:
    without_acl = Config(secret_key="x" * 32)
    Policy(fresh_required=True).check(without_acl)
    for policy in (Policy(allow=["ADMIN"]), Policy(deny=["GUEST"]), Policy(allow=[])):
        with pytest.raises(ConfigurationConflictError, match="use_acl"):
            policy.check(without_acl)
    Policy(allow=["ADMIN"]).check(Config(secret_key="x" * 32, use_acl=True))


# -- verify(raw, policy, csrf=...) ----------------------------------------------------------
async def test_verify_applies_the_policy(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice", "ADMIN", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new form never warns
        token = await manager.verify(raw, Policy(fresh_required=True, allow=["ADMIN"]))
    assert (token.identity, token.role, token.fresh) == ("alice", "ADMIN", True)
    with pytest.raises(WrongTokenError):
        await manager.verify(raw, Policy("refresh"))
    with pytest.raises(AccessDeniedError):
        await manager.verify(raw, Policy(deny=["ADMIN"]))
    stale = manager.create_access_token("alice", "ADMIN", False)
    with pytest.raises(FreshTokenRequiredError):
        await manager.verify(stale, Policy(fresh_required=True))


async def test_a_policy_with_roles_is_refused_by_a_manager_without_use_acl(
    make_manager: MakeManager,
) -> None:
    manager = make_manager()
    with pytest.raises(ConfigurationConflictError, match="use_acl"):
        await manager.verify(manager.create_access_token("alice"), Policy(deny=["GUEST"]))


async def test_csrf_is_compared_only_when_the_caller_says_it_is_required(
    manager: TokenManager,
) -> None:
    raw = manager.create_access_token("alice")
    csrf = manager.decode(raw).csrf
    assert csrf
    policy = Policy()
    assert (await manager.verify(raw, policy, csrf=CsrfProof(csrf))).identity == "alice"
    assert (await manager.verify(raw, policy, csrf=CsrfProof("wrong", False))).sub == "alice"
    with pytest.raises(CSRFError, match="does not match"):
        await manager.verify(raw, policy, csrf=CsrfProof("wrong", True))
    with pytest.raises(CSRFError, match="missing"):
        await manager.verify(raw, policy, csrf=CsrfProof(None, True))


# -- the pre-Policy forms -------------------------------------------------------------------
async def test_the_positional_form_of_verify_warns_and_still_works(manager: TokenManager) -> None:
    raw = manager.create_refresh_token("alice", "ADMIN")
    with pytest.deprecated_call():
        assert (await manager.verify(raw, "refresh", False, ["ADMIN"])).role == "ADMIN"
    with pytest.deprecated_call(), pytest.raises(AccessDeniedError):
        await manager.verify(raw, token_type="refresh", deny=["ADMIN"])
    access = manager.create_access_token("alice")
    with pytest.deprecated_call(), pytest.raises(CSRFError):
        await manager.verify(access, csrf="wrong", check_csrf=True)
    with pytest.deprecated_call():  # a value without check_csrf is not compared, as before
        assert (await manager.verify(access, csrf="wrong")).sub == "alice"


async def test_the_positional_form_refuses_what_python_would(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    with pytest.deprecated_call(), pytest.raises(TypeError, match="unexpected keyword"):
        await manager.verify(raw, roles=["ADMIN"])
    with pytest.deprecated_call(), pytest.raises(TypeError, match="multiple values"):
        await manager.verify(raw, "access", token_type="access")
    with pytest.deprecated_call(), pytest.raises(TypeError, match="at most"):
        await manager.verify(raw, "access", False, None, None, "extra")


def test_check_role_options_leaves_the_public_surface_but_still_works(
    manager: TokenManager,
) -> None:
    assert "check_role_options" not in jwt_core.__all__
    with pytest.deprecated_call():
        jwt_core.check_role_options(["ADMIN"], None, use_acl=True)
    with pytest.deprecated_call(), pytest.raises(ConfigurationConflictError, match="not both"):
        jwt_core.check_role_options(["ADMIN"], ["GUEST"])
    with pytest.deprecated_call(), pytest.raises(ConfigurationConflictError, match="use_acl"):
        jwt_core.check_role_options(["ADMIN"], None, use_acl=False)
    with pytest.deprecated_call():
        manager.check_role_options(["ADMIN"], None)
    with pytest.raises(AttributeError):
        jwt_core.no_such_name  # noqa: B018


def test_needs_csrf_warns(manager: TokenManager) -> None:
    with pytest.deprecated_call():
        assert manager.needs_csrf("cookies", "POST")
