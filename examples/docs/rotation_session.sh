#!/usr/bin/env bash
# The shell steps of docs/key-rotation.md. Run it in an empty folder holding keys.json (a copy
# of rotation_keys.json), with jwt-core on the PATH; tests/docs/test_docs_rotation.py does,
# compares what it prints with rotation_session.txt, and runs the page's Python examples in
# the same folder, with the keys it wrote.

# --8<-- [start:keygen]
mkdir -p keys
jwt-core keygen --alg ES256 --kid 2024-11 --out keys/2024-11.pem > /dev/null
jwt-core keygen --alg ES256 --kid 2025-06 --out keys/2025-06.pem
# --8<-- [end:keygen]

# --8<-- [start:cli]
jwt-core mint --keys-file keys.json --identity alice > token.txt
jwt-core jwks --keys-file keys.json > jwks.json
jwt-core verify --keys-file jwks.json < token.txt
# --8<-- [end:cli]
