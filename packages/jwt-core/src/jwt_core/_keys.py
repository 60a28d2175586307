"""Keys bound to one algorithm each, parsed once at configuration time.

This is the one module that talks to python-jose: it parses and checks key material with
python-jose's key classes (cryptography backend) and keeps the resulting key objects. Signing
and verifying then run on those prebuilt objects (HMAC through the standard library's
constant-time primitives), so nothing is parsed per token and no python-jose exception or
message ever leaves this module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import warnings
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jose.backends.cryptography_backend import (
    CryptographyECKey,
    CryptographyHMACKey,
    CryptographyRSAKey,
)
from jose.exceptions import JOSEError
from jose.utils import base64url_decode

from jwt_core._pss_eddsa import (
    EDDSA_ALGORITHMS,
    PSS_ALGORITHMS,
    checked,
    ed25519_functions,
    is_ed25519,
    load_okp,
    okp_public_jwk,
    pss_functions,
)
from jwt_core.errors import ConfigurationConflictError

HMAC_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
RSA_ALGORITHMS: dict[str, hashes.HashAlgorithm] = {
    "RS256": hashes.SHA256(),
    "RS384": hashes.SHA384(),
    "RS512": hashes.SHA512(),
}
EC_ALGORITHMS: dict[str, hashes.HashAlgorithm] = {
    "ES256": hashes.SHA256(),
    "ES384": hashes.SHA384(),
    "ES512": hashes.SHA512(),
}
EC_CURVES: dict[str, ec.EllipticCurve] = {
    "ES256": ec.SECP256R1(),
    "ES384": ec.SECP384R1(),
    "ES512": ec.SECP521R1(),
}
ALGORITHMS = (
    *HMAC_ALGORITHMS,
    *RSA_ALGORITHMS,
    *EC_ALGORITHMS,
    *PSS_ALGORITHMS,
    *EDDSA_ALGORITHMS,
)
# The RSA algorithms python-jose parses keys for; a PS* key is parsed as its RS* sibling.
_JOSE_RSA_ALG = {"PS256": "RS256", "PS384": "RS384", "PS512": "RS512"}
MIN_RSA_BITS = 2048


@dataclass(frozen=True, slots=True)
class Key:
    """One key bound to exactly one algorithm; `sign` is None for a verification-only key."""

    alg: str
    kid: str | None
    verify: Callable[[bytes, bytes], bool] = field(repr=False)
    sign: Callable[[bytes], bytes] | None = field(repr=False)
    public_jwk: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def can_sign(self) -> bool:
        return self.sign is not None


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The keys of one configuration: the signing key and the keys accepted for verifying."""

    signing: Key | None
    by_kid: dict[str, Key]
    default: Key | None  # the key for tokens that carry no `kid` (only when there is one key)

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set (RFC 7517) of the asymmetric keys; never secret material."""
        return {"keys": [dict(k.public_jwk) for k in self.by_kid.values() if k.public_jwk]}

    def for_header(self, kid: Any) -> Key | None:
        """The configured key a token header names; never anything outside the ring."""
        if kid is None:
            return self.default
        if isinstance(kid, str):
            return self.by_kid.get(kid)
        return None


# -- asymmetric key material posing as an HMAC secret -------------------------------------------
# A secret is looked at as it is and after up to _SPELLING_DEPTH decodings (base64 of base64 of
# a PEM is two), at most _SPELLING_CANDIDATES byte strings in all: secrets are small, and this
# runs once per key at startup.
_SPELLING_DEPTH = 3
_SPELLING_CANDIDATES = 64
_SPELLING_BYTES = 1 << 20  # a longer "secret" is only looked at as it is
_JSON_STRINGS = 16  # string members of a JSON secret looked into
_ASYMMETRIC_KTY = ("RSA", "EC", "OKP")
_BASE64 = re.compile(rb"[A-Za-z0-9+/_-]+={0,2}")
_HEX_NOISE = re.compile(rb"0x|\\x|[:,;-]")
_HEX = re.compile(rb"(?:[0-9a-f]{2})+")
_SSH_LINE = re.compile(rb"(?:^|[\s,\"])(?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[\w@.-]+\s+AAAA")
_SSH_TYPE = re.compile(rb"(?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[\w@.-]+")
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _asymmetric_spelling(secret: bytes) -> str | None:
    """How `secret` spells asymmetric key material (e.g. "base64 > PEM"); None when it does not.

    Breadth first over the secret and its decodings (whitespace dropped, base64/base64url, hex
    with `0x`, colons or spaces, UTF-16/UTF-32 text, the strings inside a JSON document), each
    looked at for PEM, DER, SSH, OpenSSH and JWK key material and certificates.
    """
    queue: deque[tuple[bytes, tuple[str, ...]]] = deque([(secret, ())])
    seen = {secret}
    for _ in range(_SPELLING_CANDIDATES):
        if not queue:
            return None
        data, path = queue.popleft()
        found = _key_material(data)
        if found is not None:
            return " > ".join((*path, found))
        if len(path) == _SPELLING_DEPTH or len(data) > _SPELLING_BYTES:
            continue
        for step, decoded in _decodings(data):
            if decoded and decoded not in seen:
                seen.add(decoded)
                queue.append((decoded, (*path, step)))
    return None


def _key_material(data: bytes) -> str | None:
    """What key material `data` is as it stands (no decoding), or None."""
    from jose.utils import is_pem_format, is_ssh_key

    if b"-----BEGIN" in data or is_pem_format(data):
        return "PEM"
    if is_ssh_key(data) or _SSH_LINE.search(data[:4096]):
        return "SSH public key"
    if data.startswith(b"openssh-key-v1\x00"):
        return "OpenSSH private key"
    if _is_ssh_blob(data):
        return "SSH key blob"
    der = _der_element(data)
    if der is not None and _is_der_key(der):
        return "DER"
    if any(_is_asymmetric_jwk(value) for value in _json_values(data)):
        return "JWK"
    return None


def _decodings(data: bytes) -> list[tuple[str, bytes]]:
    """The byte strings `data` may be a spelling of, each with the name of its decoding."""
    found: list[tuple[str, bytes]] = []
    for bom, codec in _UNICODE_BOMS:
        if data.startswith(bom):
            found += _unicode(data, (codec,))
            break
    else:
        if b"\x00" in data:
            found += _unicode(data, ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"))
    compact = b"".join(data.removeprefix(b"\xef\xbb\xbf").split())
    if _BASE64.fullmatch(compact) and len(compact) % 4 != 1:
        standard = compact.rstrip(b"=").replace(b"-", b"+").replace(b"_", b"/")
        found.append(("base64", base64.b64decode(standard + b"=" * (-len(standard) % 4))))
    hex_digits = _HEX_NOISE.sub(b"", compact.lower())
    if _HEX.fullmatch(hex_digits):
        found.append(("hex", bytes.fromhex(hex_digits.decode("ascii"))))
    strings = [v for v in _json_values(data) if isinstance(v, str)][:_JSON_STRINGS]
    found += [("JSON", value.encode("utf-8", "surrogatepass")) for value in strings]
    return found


def _unicode(data: bytes, codecs: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """`data` as UTF-8, when it is ASCII text in one of the wide `codecs` (PEM saved as UTF-16)."""
    for codec in codecs:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if text.isascii() and "\x00" not in text:
            return [(codec.upper()[:6], text.encode("ascii"))]
    return []


def _json_values(data: bytes) -> list[Any]:
    """Every object and string inside `data` read as a JSON document (none if it is not one)."""
    if data.lstrip()[:1] not in (b"{", b"[", b'"'):
        return []
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return []
    values: list[Any] = []
    stack = [document]
    while stack and len(values) < 4 * _SPELLING_CANDIDATES:  # iterative: no recursion limit
        value = stack.pop()
        if isinstance(value, dict):
            values.append(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            values.append(value)
    return values


def _is_asymmetric_jwk(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kty") in _ASYMMETRIC_KTY


def _is_ssh_blob(data: bytes) -> bool:
    """True for the SSH wire format of a public key (RFC 4253 section 6.6), as ssh-keygen has it."""
    size = int.from_bytes(data[:4], "big")
    name = data[4 : 4 + size]
    if not 4 <= size <= 64 or len(data) <= 4 + size or not _SSH_TYPE.fullmatch(name):
        return False
    line = name + b" " + base64.b64encode(data)
    try:
        serialization.load_ssh_public_key(line)
    except UnsupportedAlgorithm:
        return True  # an SSH key of a kind `cryptography` does not load (DSA, FIDO, ...)
    except (ValueError, TypeError):
        return False
    return True


def _der_element(data: bytes) -> bytes | None:
    """The DER SEQUENCE `data` starts with, without what follows it (a line break, say)."""
    if len(data) < 2 or data[0] != 0x30:  # every DER key or certificate is a SEQUENCE
        return None
    if data[1] < 0x80:
        end = 2 + data[1]
    else:
        count = data[1] & 0x7F
        if not 1 <= count <= 4:
            return None
        end = 2 + count + int.from_bytes(data[2 : 2 + count], "big")
    return data[:end] if end <= len(data) else None


def _is_der_key(data: bytes) -> bool:
    """True when `data` parses as a DER public key, private key or X.509 certificate."""
    from cryptography import x509

    try:
        serialization.load_der_private_key(data, password=None)
    except TypeError:
        return True  # an encrypted private key: key material all the same
    except UnsupportedAlgorithm:
        return True
    except ValueError:
        pass
    else:
        return True
    loaders: tuple[Callable[[bytes], object], ...] = (
        serialization.load_der_public_key,
        x509.load_der_x509_certificate,
    )
    for loader in loaders:
        try:
            loader(data)
        except UnsupportedAlgorithm:
            return True
        except Exception:  # noqa: S112 - not DER key material, which is what we want
            continue
        return True
    return False


# -- HMAC -------------------------------------------------------------------------------------
def _hmac_key(alg: str, secret: Any, kid: str | None) -> Key:
    if secret is None or secret in ("", b""):
        raise ConfigurationConflictError(f"{alg} needs a non-empty secret_key")
    if not isinstance(secret, str | bytes):
        raise ConfigurationConflictError(f"secret_key must be str or bytes for {alg}")
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    spelling = _asymmetric_spelling(raw)
    if spelling is not None:
        raise ConfigurationConflictError(
            f"secret_key looks like an asymmetric key or certificate ({spelling}); it cannot be "
            f"an {alg} secret (use algorithm RS*/PS*/ES*/EdDSA with private_key/public_key "
            "instead)"
        )
    try:
        CryptographyHMACKey(raw, alg)  # python-jose's own checks, for good measure
    except JOSEError:
        raise ConfigurationConflictError(f"secret_key is not usable for {alg}") from None
    digest = HMAC_ALGORITHMS[alg]
    name = digest().name
    if len(raw) < digest().digest_size:
        warnings.warn(
            f"secret_key is {len(raw)} bytes; {alg} wants at least {digest().digest_size} "
            "random bytes (RFC 7518 section 3.2)",
            UserWarning,
            stacklevel=4,
        )

    def sign(msg: bytes) -> bytes:
        return hmac.digest(raw, msg, name)

    def verify(msg: bytes, sig: bytes) -> bool:
        return hmac.compare_digest(hmac.digest(raw, msg, name), sig)

    return Key(alg, kid, verify, sign)


# -- RSA and EC -------------------------------------------------------------------------------
def _load(material: Any, alg: str, what: str) -> Any:
    """Parse PEM text/bytes or a JWK dict with python-jose; return the cryptography key."""
    if material is None:
        return None
    if isinstance(material, os.PathLike):
        try:
            material = Path(material).read_bytes()
        except OSError as exc:
            raise ConfigurationConflictError(
                f"{what} file cannot be read: {exc.strerror or 'error'}"
            ) from None
    if isinstance(material, str):
        material = material.encode("utf-8")
    if not isinstance(material, bytes | dict):
        raise ConfigurationConflictError(f"{what} must be PEM text, bytes or a JWK dict for {alg}")
    if alg in EDDSA_ALGORITHMS:
        return load_okp(material, alg, what)
    rsa_alg = _JOSE_RSA_ALG.get(alg, alg)
    jose_class = CryptographyRSAKey if rsa_alg in RSA_ALGORITHMS else CryptographyECKey
    try:
        return jose_class(material, rsa_alg).prepared_key
    except (JOSEError, ValueError, TypeError, KeyError):
        raise ConfigurationConflictError(f"{what} is not a usable key for {alg}") from None
    except Exception:
        raise ConfigurationConflictError(f"{what} is not a usable key for {alg}") from None


def _check_kind(key: Any, alg: str, what: str) -> None:
    if alg in EDDSA_ALGORITHMS:
        if not is_ed25519(key):
            raise ConfigurationConflictError(f"{what} is not an Ed25519 key, which {alg} needs")
    elif alg in RSA_ALGORITHMS or alg in PSS_ALGORITHMS:
        if not isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
            raise ConfigurationConflictError(f"{what} is not an RSA key, which {alg} needs")
        if key.key_size < MIN_RSA_BITS:
            raise ConfigurationConflictError(
                f"{what} is a {key.key_size}-bit RSA key; {alg} needs at least {MIN_RSA_BITS} bits"
            )
    else:
        if not isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
            raise ConfigurationConflictError(f"{what} is not an EC key, which {alg} needs")
        if key.curve.name != EC_CURVES[alg].name:
            raise ConfigurationConflictError(
                f"{what} is on curve {key.curve.name}; {alg} needs {EC_CURVES[alg].name}"
            )


def implied_algorithm(material: Any) -> str | None:
    """The algorithm a key implies (RS256; ES256/384/512 by its curve; EdDSA), else None."""
    try:
        key = _load(material, "RS256", "key")  # python-jose loads any kind; _check_kind judges
    except ConfigurationConflictError:
        try:
            key = _load(material, "EdDSA", "key")
        except ConfigurationConflictError:
            return None
        return "EdDSA" if is_ed25519(key) else None
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return next((alg for alg, curve in EC_CURVES.items() if curve.name == key.curve.name), None)
    return "EdDSA" if is_ed25519(key) else None


def _public_numbers(key: Any) -> Any:
    if is_ed25519(key):
        return key.public_bytes_raw()
    return key.public_numbers()


def _asymmetric_key(alg: str, private: Any, public: Any, kid: str | None) -> Key:
    private_key = _load(private, alg, "private_key")
    public_key = _load(public, alg, "public_key")
    if private_key is None and public_key is None:
        raise ConfigurationConflictError(f"{alg} needs private_key (to sign) and/or public_key")
    if private_key is not None:
        if not hasattr(private_key, "private_bytes"):
            raise ConfigurationConflictError("private_key holds a public key, not a private key")
        _check_kind(private_key, alg, "private_key")
        derived = private_key.public_key()
        if public_key is None:
            public_key = derived
        elif _public_numbers(public_key) != _public_numbers(derived):
            raise ConfigurationConflictError("public_key does not belong to private_key")
    if hasattr(public_key, "private_bytes"):
        public_key = public_key.public_key()
    _check_kind(public_key, alg, "public_key")

    if alg in EDDSA_ALGORITHMS:
        verify, sign = ed25519_functions(public_key, private_key)
        return _finish(alg, kid, verify, sign, okp_public_jwk(public_key, alg))
    if alg in PSS_ALGORITHMS:
        verify, sign = pss_functions(alg, public_key, private_key)
        jwk = CryptographyRSAKey(public_key, _JOSE_RSA_ALG[alg]).to_dict()
        return _finish(alg, kid, verify, sign, {**jwk, "alg": alg})
    if alg in RSA_ALGORITHMS:
        hash_alg = RSA_ALGORITHMS[alg]
        pkcs1 = padding.PKCS1v15()
        verify = checked(lambda sig, msg: public_key.verify(sig, msg, pkcs1, hash_alg))
        sign = None
        if private_key is not None:

            def sign(msg: bytes) -> bytes:
                return bytes(private_key.sign(msg, pkcs1, hash_alg))

    else:
        ecdsa = ec.ECDSA(EC_ALGORITHMS[alg])
        size = (public_key.curve.key_size + 7) // 8

        def verify(msg: bytes, sig: bytes) -> bool:
            if len(sig) != 2 * size:
                return False
            r = int.from_bytes(sig[:size], "big")
            s = int.from_bytes(sig[size:], "big")
            if r == 0 or s == 0:
                return False
            try:
                public_key.verify(encode_dss_signature(r, s), msg, ecdsa)
            except InvalidSignature:
                return False
            return True

        sign = None
        if private_key is not None:
            from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

            def sign(msg: bytes) -> bytes:
                r, s = decode_dss_signature(private_key.sign(msg, ecdsa))
                return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    jose_class = CryptographyRSAKey if alg in RSA_ALGORITHMS else CryptographyECKey
    return _finish(alg, kid, verify, sign, jose_class(public_key, alg).to_dict())


def _finish(
    alg: str,
    kid: str | None,
    verify: Callable[[bytes, bytes], bool],
    sign: Callable[[bytes], bytes] | None,
    public_jwk: dict[str, Any],
) -> Key:
    """The key, with its public JWK labelled by `kid` (the RFC 7638 thumbprint by default)."""
    jwk = {k: v for k, v in public_jwk.items() if k != "d"}
    if kid is None:
        kid = thumbprint(jwk)
    jwk["use"] = "sig"
    jwk["kid"] = kid
    return Key(alg, kid, verify, sign, jwk)


def thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public RSA, EC or OKP JWK."""
    members = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}.get(
        jwk["kty"], ("crv", "kty", "x", "y")
    )
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def build_key(
    alg: str,
    *,
    secret: Any = None,
    private: Any = None,
    public: Any = None,
    kid: str | None = None,
) -> Key:
    """Build one key for `alg`, refusing material that does not fit it."""
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        shown = alg if isinstance(alg, str) else type(alg).__name__
        raise ConfigurationConflictError(
            f"algorithm {shown!r} is not supported; use one of {', '.join(ALGORITHMS)}"
        )
    if alg in HMAC_ALGORITHMS:
        return _hmac_key(alg, secret, kid)
    return _asymmetric_key(alg, private, public, kid)


def _key_from_spec(spec: Any, position: int) -> Key:
    """One entry of the `keys` option: a JWK, or {kid, alg, secret_key/private_key/public_key}."""
    where = f"keys[{position}]"
    if not isinstance(spec, dict):
        raise ConfigurationConflictError(f"{where} must be a JWK or a dict with kid and alg")
    kid, alg = spec.get("kid"), spec.get("alg")
    if not isinstance(kid, str) or not kid:
        raise ConfigurationConflictError(f"{where} needs a non-empty kid")
    if not isinstance(alg, str):
        raise ConfigurationConflictError(f"{where} ({kid}) needs alg: each key has one algorithm")
    if "kty" in spec:  # a JWK
        use = spec.get("use")
        if use is not None and use != "sig":
            raise ConfigurationConflictError(f"{where} ({kid}) is not a signing key (use={use!r})")
        if spec["kty"] == "oct":
            try:
                secret = base64url_decode(str(spec.get("k", "")).encode("ascii"))
            except Exception:
                raise ConfigurationConflictError(f"{where} ({kid}) has a malformed k") from None
            return build_key(alg, secret=secret, kid=kid)
        if "d" in spec:
            return build_key(alg, private=spec, kid=kid)
        return build_key(alg, public=spec, kid=kid)
    unknown = set(spec) - {"kid", "alg", "secret_key", "private_key", "public_key"}
    if unknown:
        raise ConfigurationConflictError(f"{where} ({kid}) has unknown fields {sorted(unknown)}")
    return build_key(
        alg,
        secret=spec.get("secret_key"),
        private=spec.get("private_key"),
        public=spec.get("public_key"),
        kid=kid,
    )


def build_keyring(
    algorithm: str,
    secret: Any,
    private: Any,
    public: Any,
    keys: Any = None,
    signing_key_id: str | None = None,
    key_id: str | None = None,
) -> KeyRing:
    """The key ring of a configuration: a single key, or a set of keys with kids.

    In a set, exactly one key signs (`signing_key_id`, or the only key with private material);
    the others only verify. A token without `kid` is accepted only when there is one key.
    """
    if keys is None:
        if signing_key_id is not None:
            raise ConfigurationConflictError("signing_key_id needs the keys option")
        if key_id is not None and (not isinstance(key_id, str) or not key_id):
            raise ConfigurationConflictError("key_id must be a non-empty string")
        key = build_key(algorithm, secret=secret, private=private, public=public, kid=key_id)
        by_kid = {key.kid: key} if key.kid is not None else {}
        return KeyRing(signing=key if key.can_sign else None, by_kid=by_kid, default=key)
    if any(v is not None for v in (secret, private, public, key_id)):
        raise ConfigurationConflictError(
            "use either keys or secret_key/private_key/public_key/key_id, not both"
        )
    if isinstance(keys, dict) and "keys" in keys:  # a JWKS document
        keys = keys["keys"]
    if isinstance(keys, dict | str | bytes) or not hasattr(keys, "__iter__"):
        raise ConfigurationConflictError("keys must be a list of key specs or a JWKS document")
    ring: dict[str, Key] = {}
    for position, spec in enumerate(keys):
        key = _key_from_spec(spec, position)
        if key.kid in ring:
            raise ConfigurationConflictError(f"kid {key.kid!r} appears twice in keys")
        assert key.kid is not None
        ring[key.kid] = key
    if not ring:
        raise ConfigurationConflictError("keys is empty")
    if signing_key_id is not None:
        signing = ring.get(signing_key_id)
        if signing is None:
            raise ConfigurationConflictError(f"signing_key_id {signing_key_id!r} is not in keys")
        if not signing.can_sign:
            raise ConfigurationConflictError(
                f"signing_key_id {signing_key_id!r} has no private key or secret to sign with"
            )
    else:
        signers = [k for k in ring.values() if k.can_sign]
        if len(signers) > 1:
            raise ConfigurationConflictError(
                "several keys can sign; name the active one with signing_key_id"
            )
        signing = signers[0] if signers else None
    default = next(iter(ring.values())) if len(ring) == 1 else None
    return KeyRing(signing=signing, by_kid=ring, default=default)
