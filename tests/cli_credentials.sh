#!/usr/bin/env bash
# Command-line tests for credentials: civid-issuer issue / status-list and civid-verifier check,
# with real sealed keys and real signatures, in every securing format; tampering, wrong keys,
# revocation and suspension. Every check asserts an exit status and, for failures, the stable
# error name.
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok()  { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
expect() { # STATUS DESCRIPTION -- command...   (stdout -> $tmp/out, stderr -> $tmp/err)
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "$what: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" >&2
    sed 's/^/  stdout: /' "$tmp/out" | head -20 >&2; fi
}
contains() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; sed 's/^/  /' "$1" | head -30 >&2; fi
}
export CIVID_PASSPHRASE="correct horse battery staple"
for t in ed25519 p256 p384 secp256k1; do
  "$issuer" keygen --type "$t" --out "$tmp/$t.key" --kdf min >/dev/null || bad "keygen $t"
done
cat > "$tmp/vc.json" <<'JSON'
{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
 "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
 "type": ["VerifiableCredential", "ExampleAlumniCredential"],
 "validFrom": "2023-01-01T00:00:00Z",
 "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}}
JSON

# Every format with every key type it supports verifies, and the issuer is the key's DID.
for combo in di-eddsa-jcs:ed25519 di-ecdsa-jcs:p256 di-ecdsa-jcs:p384 vc-jwt:ed25519 \
             vc-jwt:p256 vc-jwt:p384 vc-jwt:secp256k1; do
  fmt=${combo%%:*}; t=${combo##*:}
  expect 0 "issue $fmt $t" -- "$issuer" issue --key "$tmp/$t.key" --format "$fmt" "$tmp/vc.json"
  cp "$tmp/out" "$tmp/$fmt-$t.cred"
  expect 0 "check $fmt $t" -- "$verifier" check "$tmp/$fmt-$t.cred"
  contains "$tmp/out" '"verified": true' "check $fmt $t result"
  contains "$tmp/out" '"signature"' "check $fmt $t ran the signature check"
  contains "$tmp/out" '"issuer"' "check $fmt $t ran the issuer check"
  expect 0 "check $fmt $t from stdin" -- sh -c "'$verifier' check - < '$tmp/$fmt-$t.cred'"
done
contains "$tmp/di-eddsa-jcs-ed25519.cred" '"cryptosuite": "eddsa-jcs-2022"' "DI suite name"
# A key that does not fit the suite is refused at issuance.
expect 1 "eddsa with a P-256 key" -- "$issuer" issue --key "$tmp/p256.key" --format di-eddsa-jcs "$tmp/vc.json"
contains "$tmp/err" "DID_ERR_DI_KEY" "suite/key mismatch code"
expect 2 "unknown format" -- "$issuer" issue --key "$tmp/ed25519.key" --format ldp "$tmp/vc.json"
# An issuer that is not the key's DID is refused.
sed 's/"id": "urn:uuid/"issuer": "did:example:someone-else", "id": "urn:uuid/' "$tmp/vc.json" > "$tmp/other.json"
expect 1 "foreign issuer" -- "$issuer" issue --key "$tmp/ed25519.key" --format vc-jwt "$tmp/other.json"
contains "$tmp/err" "DID_ERR_VC_ISSUER_KEY" "foreign issuer code"
# An invalid credential is refused before signing.
sed 's/"validFrom": "2023-01-01T00:00:00Z"/"validFrom": "yesterday"/' "$tmp/vc.json" > "$tmp/baddate.json"
expect 1 "bad validFrom" -- "$issuer" issue --key "$tmp/ed25519.key" --format vc-jwt "$tmp/baddate.json"
contains "$tmp/err" "DID_ERR_VC_DATE" "bad date code"

# Tampering: a changed claim in a DI credential, a changed payload in a vc+jwt.
sed 's/The School of Examples/The School of Forgery/' "$tmp/di-eddsa-jcs-ed25519.cred" > "$tmp/t1"
expect 1 "tampered DI claim" -- "$verifier" check "$tmp/t1"
contains "$tmp/out" "DID_ERR_DI_SIGNATURE" "tampered DI code"
contains "$tmp/out" '"verified": false' "tampered DI result"
sed 's/"created": "[^"]*"/"created": "2020-01-01T00:00:00Z"/' "$tmp/di-ecdsa-jcs-p256.cred" > "$tmp/t2"
expect 1 "tampered DI proof option" -- "$verifier" check "$tmp/t2"
contains "$tmp/out" "DID_ERR_DI_SIGNATURE" "tampered proof option code"
IFS=. read -r h p s < "$tmp/vc-jwt-p256.cred"
p2=$(printf '%s' "$p" | tr 'A-Za-z' 'B-ZAb-za')
printf '%s.%s.%s\n' "$h" "$p2" "$s" > "$tmp/t3"
expect 1 "tampered vc+jwt" -- "$verifier" check "$tmp/t3"
contains "$tmp/out" '"verified": false' "tampered vc+jwt result"
# A proof removed: unsecured.
python3 - "$tmp/di-eddsa-jcs-ed25519.cred" "$tmp/t4" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); del d["proof"]; json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 "no proof" -- "$verifier" check "$tmp/t4"
contains "$tmp/out" "DID_ERR_VC_UNSECURED" "unsecured code"
# Expired credential (validUntil in the past), issued fine, refused at verification.
sed 's/"validFrom": "2023-01-01T00:00:00Z"/"validFrom": "2023-01-01T00:00:00Z", "validUntil": "2024-01-01T00:00:00Z"/' \
  "$tmp/vc.json" > "$tmp/expired.json"
expect 0 "issue expired" -- "$issuer" issue --key "$tmp/ed25519.key" --format di-eddsa-jcs "$tmp/expired.json"
cp "$tmp/out" "$tmp/expired.cred"
expect 1 "check expired" -- "$verifier" check "$tmp/expired.cred"
contains "$tmp/out" "DID_ERR_VC_EXPIRED" "expired code"
# Not a credential at all.
echo '{"hello": "world"}' > "$tmp/notvc.json"
expect 1 "JSON without proof" -- "$verifier" check "$tmp/notvc.json"
echo '{"broken": ' > "$tmp/broken.json"
expect 2 "broken JSON" -- "$verifier" check "$tmp/broken.json"
contains "$tmp/out" "DID_ERR_JSON_SYNTAX" "broken JSON code"

# SD-JWT VC with selective disclosure and holder binding.
holder=$("$issuer" did --key "$tmp/p256.key")
cat > "$tmp/claims.json" <<'JSON'
{"vct": "https://credentials.example.com/identity_credential", "given_name": "Erika",
 "family_name": "Mustermann", "address": {"street_address": "Heidestrasse 17", "locality": "Koeln"},
 "nationalities": ["DE", "FR"]}
JSON
expect 0 "issue sd-jwt" -- "$issuer" issue --key "$tmp/ed25519.key" --format sd-jwt --sd /given_name \
  --sd /address/street_address --sd /nationalities/1 --holder "$holder" "$tmp/claims.json"
cp "$tmp/out" "$tmp/sd.txt"
[ "$(tr -cd '~' < "$tmp/sd.txt" | wc -c)" -eq 4 ] && ok || bad "sd-jwt should carry 3 disclosures"
expect 0 "check sd-jwt" -- "$verifier" check "$tmp/sd.txt"
contains "$tmp/out" '"format": "sd-jwt"' "sd-jwt format"
contains "$tmp/out" '"given_name": "Erika"' "disclosed claim reassembled"
contains "$tmp/out" '"cnf"' "holder binding present"
# Without a key binding JWT, a verifier that asks for a challenge refuses it.
expect 1 "sd-jwt without KB but a challenge" -- "$verifier" check --challenge n-0S6_WzA2Mj "$tmp/sd.txt"
contains "$tmp/out" "DID_ERR_SDJWT_KB" "missing KB code"
expect 1 "sd-jwt without vct" -- "$issuer" issue --key "$tmp/ed25519.key" --format sd-jwt "$tmp/vc.json"
contains "$tmp/err" "DID_ERR_SDJWT_VCT" "vct code"

# Status: revocation and suspension through Bitstring Status Lists.
url=https://issuer.example/status/1
surl=https://issuer.example/status/2
expect 0 "issue with status" -- "$issuer" issue --key "$tmp/ed25519.key" --format di-eddsa-jcs \
  --status-list "$url" --status-index 42 "$tmp/vc.json"
cp "$tmp/out" "$tmp/st.cred"
expect 0 "status unchecked is a warning" -- "$verifier" check "$tmp/st.cred"
contains "$tmp/out" "no status list source" "unchecked status warning"
expect 0 "list, nothing set" -- "$issuer" status-list --key "$tmp/ed25519.key" --format vc-jwt --url "$url"
cp "$tmp/out" "$tmp/list0"
expect 0 "list, 42 revoked" -- "$issuer" status-list --key "$tmp/p256.key" --format di-ecdsa-jcs \
  --url "$url" --set 41 --set 42
cp "$tmp/out" "$tmp/list42"
expect 0 "check, not revoked" -- "$verifier" check --status-list "$tmp/list0" "$tmp/st.cred"
contains "$tmp/out" '"credentialStatus"' "status check ran"
expect 1 "check, revoked" -- "$verifier" check --status-list "$tmp/list42" "$tmp/st.cred"
contains "$tmp/out" "DID_ERR_STATUS_REVOKED" "revoked code"
expect 0 "issue with suspension status" -- "$issuer" issue --key "$tmp/ed25519.key" --format vc-jwt \
  --status-list "$surl" --status-index 7 --status-purpose suspension "$tmp/vc.json"
cp "$tmp/out" "$tmp/sst.cred"
expect 0 "suspension list" -- "$issuer" status-list --key "$tmp/ed25519.key" --format vc-jwt \
  --url "$surl" --purpose suspension --set 7
cp "$tmp/out" "$tmp/slist"
expect 1 "check, suspended" -- "$verifier" check --status-list "$tmp/slist" "$tmp/sst.cred"
contains "$tmp/out" "DID_ERR_STATUS_SUSPENDED" "suspended code"
expect 1 "check, list of another purpose" -- "$verifier" check --status-list "$tmp/list0" --status-list "$tmp/slist" "$tmp/sst.cred"
# A tampered status list is refused when loaded.
sed 's/"encodedList": "u/"encodedList": "uH/' "$tmp/list42" > "$tmp/listbad"
expect 2 "tampered status list" -- "$verifier" check --status-list "$tmp/listbad" "$tmp/st.cred"
contains "$tmp/err" "DID_ERR_DI_SIGNATURE" "tampered list code"
expect 1 "status list missing for the URL" -- "$verifier" check --status-list "$tmp/slist" "$tmp/st.cred"
contains "$tmp/out" "DID_ERR_STATUS_LIST" "missing list code"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
