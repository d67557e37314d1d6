#!/usr/bin/env bash
# Command-line tests: the real civid-issuer and civid-verifier binaries, real sealed key files,
# real signatures. Every check asserts an exit status and, for failures, the stable error name.
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# expect STATUS DESCRIPTION -- command...   (stdout -> $tmp/out, stderr -> $tmp/err)
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "$what: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" >&2; fi
}
contains() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; sed 's/^/  /' "$1" >&2; fi
}

echo "correct horse battery staple" > "$tmp/pass"
echo "wrong passphrase" > "$tmp/wrong"
payload='{"iss":"x","msg":"hello"}'
printf '%s' "$payload" > "$tmp/payload.json"

# --help everywhere, exit 0, and usage errors exit 2.
for p in "$issuer" "$verifier"; do
  expect 0 "$p --help" -- "$p" --help
  expect 2 "$p without command" -- "$p"
  expect 2 "$p unknown command" -- "$p" frobnicate
done
for c in keygen did sign issue status-list; do
  expect 0 "issuer $c --help" -- "$issuer" "$c" --help
  contains "$tmp/out" "usage: civid-issuer $c" "issuer $c --help"
done
for c in resolve check; do
  expect 0 "verifier $c --help" -- "$verifier" "$c" --help
  contains "$tmp/out" "usage: civid-verifier $c" "verifier $c --help"
done
expect 2 "keygen without --out" -- "$issuer" keygen --type ed25519
expect 2 "keygen bad type" -- "$issuer" keygen --type rsa --out "$tmp/x.key"
expect 2 "keygen bad kdf" -- "$issuer" keygen --type ed25519 --out "$tmp/x.key" --kdf none

for type in ed25519 p256 p384 secp256k1; do
  key="$tmp/$type.key"
  expect 0 "keygen $type" -- "$issuer" keygen --type "$type" --out "$key" \
    --passphrase-file "$tmp/pass" --kdf min
  did=$(cat "$tmp/out")
  case "$type" in
    ed25519) prefix="did:key:z6Mk" ;;
    p256) prefix="did:key:zDn" ;;
    p384) prefix="did:key:z82" ;;
    secp256k1) prefix="did:key:zQ3s" ;;
  esac
  case "$did" in "$prefix"*) ok ;; *) bad "keygen $type printed '$did', expected $prefix..." ;; esac
  mode=$(stat -c %a "$key")
  [ "$mode" = 600 ] && ok || bad "key file mode $mode, expected 600"
  head -c 8 "$key" | grep -q CIVIDKEY && ok || bad "key file lacks the CIVIDKEY magic"

  expect 0 "did $type" -- "$issuer" did --key "$key" --passphrase-file "$tmp/pass"
  [ "$(cat "$tmp/out")" = "$did" ] && ok || bad "did --key gave another DID than keygen"
  expect 0 "did $type from env" -- env CIVID_PASSPHRASE="correct horse battery staple" \
    "$issuer" did --key "$key"
  [ "$(cat "$tmp/out")" = "$did" ] && ok || bad "passphrase from the environment"
  expect 0 "did:jwk $type" -- "$issuer" did --key "$key" --method jwk --passphrase-file "$tmp/pass"
  jwk_did=$(cat "$tmp/out")
  case "$jwk_did" in did:jwk:ey*) ok ;; *) bad "did:jwk form: $jwk_did" ;; esac

  expect 0 "resolve $type did:key" -- "$verifier" resolve "$did"
  contains "$tmp/out" "\"id\": \"$did\"" "resolved document id"
  contains "$tmp/out" '"assertionMethod"' "resolved document relationships"
  expect 0 "resolve $type did:jwk" -- "$verifier" resolve "$jwk_did"
  contains "$tmp/out" "\"id\": \"$jwk_did\"" "resolved did:jwk id"

  for method in key jwk; do
    expect 0 "sign $type $method" -- "$issuer" sign --key "$key" --method "$method" \
      --typ JWT --passphrase-file "$tmp/pass" "$tmp/payload.json"
    cp "$tmp/out" "$tmp/$type-$method.jws"
    expect 0 "check $type $method" -- "$verifier" check --typ JWT "$tmp/$type-$method.jws"
    contains "$tmp/out" '"verified": true' "check $type $method result"
    expect 0 "check $type $method from stdin" -- sh -c "'$verifier' check - < '$tmp/$type-$method.jws'"
  done
  expect 1 "typ mismatch $type" -- "$verifier" check --typ vc+jwt "$tmp/$type-key.jws"
  contains "$tmp/out" "DID_ERR_JWS_TYP" "typ mismatch code"
done

# Wrong passphrase, missing passphrase, tampered and truncated key files.
expect 1 "wrong passphrase" -- "$issuer" did --key "$tmp/ed25519.key" --passphrase-file "$tmp/wrong"
contains "$tmp/err" "CK_ERR_PASSPHRASE" "wrong passphrase code"
expect 1 "no passphrase" -- env -u CIVID_PASSPHRASE "$issuer" did --key "$tmp/ed25519.key"
contains "$tmp/err" "CIVID_PASSPHRASE" "missing passphrase names the variable"
cp "$tmp/ed25519.key" "$tmp/tampered.key"
printf '\x01' | dd of="$tmp/tampered.key" bs=1 seek=70 conv=notrunc 2>/dev/null
expect 1 "tampered key file" -- "$issuer" did --key "$tmp/tampered.key" --passphrase-file "$tmp/pass"
contains "$tmp/err" "CK_ERR_PASSPHRASE" "tampered key code"
head -c 20 "$tmp/ed25519.key" > "$tmp/short.key"
expect 1 "truncated key file" -- "$issuer" did --key "$tmp/short.key" --passphrase-file "$tmp/pass"
contains "$tmp/err" "CK_ERR_SEALED_FORMAT" "truncated key code"
expect 1 "missing key file" -- "$issuer" did --key "$tmp/nope.key" --passphrase-file "$tmp/pass"
contains "$tmp/err" "DID_ERR_IO" "missing key file code"
# keygen never replaces an existing key without --force
before=$(sha256sum < "$tmp/ed25519.key")
expect 1 "keygen refuses to overwrite" -- "$issuer" keygen --type ed25519 --out "$tmp/ed25519.key" \
  --passphrase-file "$tmp/pass" --kdf min
[ "$(sha256sum < "$tmp/ed25519.key")" = "$before" ] && ok || bad "existing key file changed"
expect 0 "keygen --force" -- "$issuer" keygen --type ed25519 --out "$tmp/ed25519.key" \
  --passphrase-file "$tmp/pass" --kdf min --force
ls "$tmp" | grep -q '\.tmp\.' && bad "temporary files left behind" || ok

# Resolve: invalid or unsupported DIDs exit 2 with a one-line error naming the problem.
expect 2 "resolve not a DID" -- "$verifier" resolve "not-a-did"
contains "$tmp/err" "DID_ERR_DID_SYNTAX" "syntax error code"
[ "$(wc -l < "$tmp/err")" -eq 1 ] && ok || bad "resolve error is not one line"
expect 2 "resolve unsupported method" -- "$verifier" resolve "did:example:123"
contains "$tmp/err" "DID_ERR_DID_METHOD" "unsupported method code"
expect 2 "resolve bad did:key" -- "$verifier" resolve "did:key:z6MkBAD0"
contains "$tmp/err" "DID_ERR_" "bad did:key names an error"
expect 2 "resolve P-521 did:key" -- "$verifier" resolve \
  "did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7"
expect 0 "resolve --result" -- "$verifier" resolve --result "$did"
contains "$tmp/out" '"didResolutionMetadata"' "resolution result shape"

# Check: tampered, garbage, none, JWT claims.
jws=$(cat "$tmp/ed25519-key.jws")
IFS=. read -r h p s <<<"$jws"
printf '%s.%s.%s\n' "$h" "eyJpc3MiOiJ5In0" "$s" > "$tmp/tampered.jws"
expect 1 "tampered payload" -- "$verifier" check "$tmp/tampered.jws"
contains "$tmp/out" "DID_ERR_JWS_SIGNATURE" "tampered payload code"
contains "$tmp/out" '"verified": false' "tampered result"
echo "this is not a jws" > "$tmp/garbage"
expect 2 "garbage input" -- "$verifier" check "$tmp/garbage"
contains "$tmp/out" "DID_ERR_VC_FORMAT" "garbage code"
printf 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.\n' > "$tmp/none.jws"
expect 2 "alg none (empty signature)" -- "$verifier" check "$tmp/none.jws"
expect 2 "unreadable file" -- "$verifier" check "$tmp/does-not-exist"
now=$(date +%s)
printf '{"iss":"me","aud":"you","exp":%d}' $((now - 3600)) > "$tmp/expired.json"
"$issuer" sign --key "$tmp/p256.key" --passphrase-file "$tmp/pass" "$tmp/expired.json" > "$tmp/expired.jwt"
expect 1 "expired JWT" -- "$verifier" check --jwt "$tmp/expired.jwt"
contains "$tmp/out" "DID_ERR_JWT_EXPIRED" "expired code"
printf '{"iss":"me","aud":"you","exp":%d}' $((now + 3600)) > "$tmp/valid.json"
"$issuer" sign --key "$tmp/p256.key" --passphrase-file "$tmp/pass" "$tmp/valid.json" > "$tmp/valid.jwt"
expect 0 "valid JWT with aud/iss" -- "$verifier" check --jwt --aud you --iss me "$tmp/valid.jwt"
expect 1 "JWT wrong audience" -- "$verifier" check --jwt --aud someone-else "$tmp/valid.jwt"
contains "$tmp/out" "DID_ERR_JWT_AUD" "audience code"
expect 2 "--aud without --jwt" -- "$verifier" check --aud you "$tmp/valid.jwt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
