#!/usr/bin/env bash
# The session of docs/cli.md, one step per section. Run it in an empty folder with jwt-core on
# the PATH; tests/docs/test_docs_cli.py does, and compares what it prints with cli_session.txt.

# --8<-- [start:keygen]
jwt-core keygen --alg ES256 --out es256.pem
# --8<-- [end:keygen]

# --8<-- [start:mint]
jwt-core mint --private-key-file es256.pem --identity alice --role ADMIN --fresh \
    --expires 15m --claim tenant=7 --claim 'scopes=["read","write"]' > token.txt
cat token.txt
# --8<-- [end:mint]

# --8<-- [start:verify]
jwt-core verify --public-key-file es256.pub.pem "$(cat token.txt)"
# --8<-- [end:verify]

# --8<-- [start:wrong-type]
jwt-core verify --public-key-file es256.pub.pem --type refresh < token.txt
echo $?
# --8<-- [end:wrong-type]

# --8<-- [start:tampered]
TAMPERED=$(sed "s/\.[^.]*\./.eyJzdWIiOiJtYWxsb3J5In0./" token.txt)
jwt-core verify --public-key-file es256.pub.pem "$TAMPERED"
echo $?
# --8<-- [end:tampered]

# --8<-- [start:inspect]
jwt-core inspect < token.txt
# --8<-- [end:inspect]

# --8<-- [start:jwks]
jwt-core jwks --public-key-file es256.pub.pem
# --8<-- [end:jwks]

# --8<-- [start:secret]
jwt-core keygen --alg HS256 --out secret.txt
export JWT_SECRET_KEY_FILE=secret.txt
jwt-core mint --identity bob --refresh --expires 7d | jwt-core verify --type refresh
# --8<-- [end:secret]

# --8<-- [start:no-key]
unset JWT_SECRET_KEY_FILE
jwt-core mint --identity alice
echo $?
# --8<-- [end:no-key]
