#!/usr/bin/env bash
# The civid walk-through: keys and DIDs for every key type, a signed JWS verified through DID
# resolution, and a tampered JWS refused. Data (sealed keys, passphrase) in $CIVID_DATA.
set -euo pipefail
bin=${CIVID_BIN:-build/release}
issuer="$bin/issuer/civid-issuer"
verifier="$bin/verifier/civid-verifier"
data=${CIVID_DATA:-civid-data}
mkdir -p "$data/keys"
chmod 700 "$data"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

pass="$data/passphrase"
if [ ! -s "$pass" ]; then
  step "Creating a random passphrase for the sealed keys in $pass (mode 0600)"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '\n' > "$pass")
fi

for type in ed25519 p256 p384 secp256k1; do
  key="$data/keys/$type.key"
  if [ ! -f "$key" ]; then
    step "Generating a $type key, sealed with Argon2id + XChaCha20-Poly1305: $key"
    "$issuer" keygen --type "$type" --out "$key" --passphrase-file "$pass" --kdf interactive
  fi
  step "$type: its did:key and did:jwk"
  "$issuer" did --key "$key" --passphrase-file "$pass"
  "$issuer" did --key "$key" --method jwk --passphrase-file "$pass"
done

issuer_did=$("$issuer" did --key "$data/keys/ed25519.key" --passphrase-file "$pass")
step "Resolving the Ed25519 issuer's did:key to its DID document"
"$verifier" resolve "$issuer_did"

step "Signing a JWT with the Ed25519 key (kid = its DID URL)"
now=$(date +%s)
printf '{"iss":"%s","sub":"did:example:citizen","iat":%d,"exp":%d,"msg":"hello civid"}' \
  "$issuer_did" "$now" "$((now + 600))" > "$data/claims.json"
"$issuer" sign --key "$data/keys/ed25519.key" --passphrase-file "$pass" --typ JWT \
  "$data/claims.json" > "$data/token.jwt"
cat "$data/token.jwt"

step "Verifying it offline: kid resolved through did:key, signature, exp/iat checked"
"$verifier" check --jwt --iss "$issuer_did" "$data/token.jwt"

step "Signing with the P-256 key as did:jwk and verifying"
"$issuer" sign --key "$data/keys/p256.key" --method jwk --passphrase-file "$pass" \
  "$data/claims.json" > "$data/token-p256.jws"
"$verifier" check "$data/token-p256.jws"

step "Tampering with the payload: verification must fail (exit 1)"
IFS=. read -r h p s < "$data/token.jwt"
pad=$(printf '%*s' $(( (4 - ${#p} % 4) % 4 )) '' | tr ' ' '=')
p2=$(printf '%s' "$p$pad" | basenc --base64url -d | sed 's/hello/HELLO/' \
     | basenc --base64url -w0 | tr -d '=')
printf '%s.%s.%s\n' "$h" "$p2" "$s" > "$data/tampered.jwt"
set +e
"$verifier" check --jwt "$data/tampered.jwt"
rc=$?
set -e
if [ "$rc" -ne 1 ]; then
  echo "walk-through: the tampered token was not refused (exit $rc)" >&2
  exit 1
fi
step "Done: the tampered token was refused (exit 1). Data is in $data/"
