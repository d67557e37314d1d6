#!/usr/bin/env bash
# The civid walk-through: keys and DIDs for every key type, a signed JWS verified through DID
# resolution, a tampered JWS refused, credentials issued in every format and verified, and a
# revocation through a Bitstring Status List. Data (sealed keys, passphrase) in $CIVID_DATA.
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
step "The tampered token was refused (exit 1)"

cat > "$data/credential.json" <<'JSON'
{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
 "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
 "type": ["VerifiableCredential", "ExampleAlumniCredential"],
 "validFrom": "2024-01-01T00:00:00Z",
 "credentialSubject": {"id": "did:example:citizen", "alumniOf": "The School of Examples"}}
JSON
status_url="https://issuer.example/status/1"
step "Issuing a credential with a Data Integrity proof (eddsa-jcs-2022) and a revocation entry"
"$issuer" issue --key "$data/keys/ed25519.key" --passphrase-file "$pass" --format di-eddsa-jcs \
  --status-list "$status_url" --status-index 42 "$data/credential.json" > "$data/vc-di.json"
cat "$data/vc-di.json"

step "Issuing the same credential as a VC-JOSE vc+jwt (ES256) and verifying it"
"$issuer" issue --key "$data/keys/p256.key" --passphrase-file "$pass" --format vc-jwt \
  "$data/credential.json" > "$data/vc.jwt"
"$verifier" check "$data/vc.jwt" | head -4

step "Issuing an SD-JWT VC with selectively disclosable claims, bound to the P-256 holder key"
holder_did=$("$issuer" did --key "$data/keys/p256.key" --passphrase-file "$pass")
printf '%s\n' '{"vct": "https://credentials.example.com/identity_credential",' \
  '"given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12"}' \
  > "$data/claims-sd.json"
"$issuer" issue --key "$data/keys/ed25519.key" --passphrase-file "$pass" --format sd-jwt \
  --sd /given_name --sd /birthdate --holder "$holder_did" "$data/claims-sd.json" > "$data/vc.sd-jwt"
"$verifier" check "$data/vc.sd-jwt" | head -4

step "Publishing a status list where nothing is revoked; the credential verifies with its status"
"$issuer" status-list --key "$data/keys/ed25519.key" --passphrase-file "$pass" --format vc-jwt \
  --url "$status_url" > "$data/status-0.jwt"
"$verifier" check --status-list "$data/status-0.jwt" "$data/vc-di.json" | head -3

step "Revoking index 42: the same credential now fails its status check (exit 1)"
"$issuer" status-list --key "$data/keys/ed25519.key" --passphrase-file "$pass" --format vc-jwt \
  --url "$status_url" --set 42 > "$data/status-1.jwt"
set +e
"$verifier" check --status-list "$data/status-1.jwt" "$data/vc-di.json" > "$data/revoked.json"
rc=$?
set -e
grep -E '"verified"|"name"' "$data/revoked.json"
if [ "$rc" -ne 1 ] || ! grep -q DID_ERR_STATUS_REVOKED "$data/revoked.json"; then
  echo "walk-through: the revoked credential was not refused (exit $rc)" >&2
  exit 1
fi
step "Done: the revoked credential was refused (exit 1). Data is in $data/"
