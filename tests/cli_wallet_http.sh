#!/usr/bin/env bash
# civid-wallet over HTTP, against the real civid-issuer serve and civid-verifier serve on
# 127.0.0.1 (port 0): receive (POST /credentials/issue, verified before it is stored), list /
# show with the status list checked, challenge, present --to (verified by the verifier), the
# issuer revokes, list shows revoked, present is refused, present --force --to is refused by the
# verifier with DID_ERR_STATUS_REVOKED; an SD-JWT VC received and presented with selective
# disclosure; wrong token, plain http without --allow-http-loopback. Every check asserts an exit
# status and, for failures, the stable error name. Bounded: every daemon start and request has
# a timeout, and the daemons are killed on exit.
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
wallet=${CIVID_WALLET:?}
tmp=$(mktemp -d)
ipid=
vpid=
cleanup() {
  for p in "$ipid" "$vpid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
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
lacks() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' in output"; else ok; fi
}
# start PROGRAM OUTFILE ARGS...: a daemon in the background; waits (at most 10 s) for its first
# line (the address); sets $started_pid and $started_base.
start() {
  local prog=$1 out=$2; shift 2
  : >"$out"
  "$prog" serve "$@" >"$out" 2>"$out.err" &
  started_pid=$!
  started_base=
  for _ in $(seq 100); do
    if [ -s "$out" ]; then started_base=http://$(head -n 1 "$out"); break; fi
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  case "$started_base" in
    http://127.0.0.1:[1-9]*) ok ;;
    *) bad "$prog did not print its address"; cat "$out.err" >&2; exit 1 ;;
  esac
}

export CIVID_PASSPHRASE="issuer passphrase"
export CIVID_WALLET_PASSPHRASE="wallet passphrase"
unset CIVID_ISSUER_TOKEN
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
printf '%s\n' "$token" > "$tmp/token"
printf '%s\n' "not-the-token" > "$tmp/badtoken"

start "$issuer" "$tmp/iss.out" --listen 127.0.0.1:0 --data "$tmp/issuer" --kdf min \
  --access-log off --token-file "$tmp/token"
ipid=$started_pid
ibase=$started_base
printf '{"statusLists": true, "allowHttpLoopback": true, "fetchCacheMaxTtl": 0}\n' > "$tmp/ver.json"
start "$verifier" "$tmp/ver.out" --listen 127.0.0.1:0 --data "$tmp/verifier" \
  --config "$tmp/ver.json" --access-log off
vpid=$started_pid
vbase=$started_base

W="$tmp/wallet"
# Every wallet run is bounded in time.
w() { timeout 60 "$wallet" "$@" --wallet "$W"; }
wl() { timeout 60 "$wallet" "$@"; }
expect 0 "create" -- w create --kdf min

# Issuance requests: a Data Integrity credential with a revocation entry, and an SD-JWT VC.
cat > "$tmp/req-di.json" <<'JSON'
{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://www.w3.org/ns/credentials/examples/v2"],
  "type": ["VerifiableCredential", "ExampleAlumniCredential"],
  "validFrom": "2023-01-01T00:00:00Z",
  "credentialSubject": {"alumniOf": "The School of Examples"}},
 "options": {"format": "di-eddsa-jcs", "status": true}}
JSON
cat > "$tmp/req-sd.json" <<'JSON'
{"credential": {"vct": "https://credentials.example.com/identity_credential",
                "given_name": "Erika", "family_name": "Mustermann"},
 "options": {"format": "sd-jwt", "sd": ["/given_name", "/family_name"]}}
JSON

# --help of the new commands.
expect 0 "receive --help" -- wl receive --help
contains "$tmp/out" "OpenID4VCI" "receive --help says it is a demo flow"
expect 0 "challenge --help" -- wl challenge --help
expect 2 "receive without --from" -- w receive --request "$tmp/req-di.json" --token "$tmp/token"

# Plain http is refused unless --allow-http-loopback.
expect 1 "receive over http without the option" -- \
  w receive --from "$ibase" --request "$tmp/req-di.json" --token "$tmp/token"
contains "$tmp/err" "DID_ERR_FETCH_SCHEME" "http refused"
expect 1 "receive with a wrong token" -- w receive --from "$ibase" --request "$tmp/req-di.json" \
  --token "$tmp/badtoken" --allow-http-loopback
contains "$tmp/err" "CH_ERR_HTTP_UNAUTHORIZED" "wrong token: the issuer's problem"
lacks "$tmp/err" "not-the-token" "the token is never printed"
expect 1 "receive without a token" -- w receive --from "$ibase" --request "$tmp/req-di.json" \
  --allow-http-loopback
contains "$tmp/err" "DID_ERR_ARG" "no token"

# Receive: the holder DID is filled in, the credential verified and stored.
expect 0 "receive di" -- w receive --from "$ibase" --request "$tmp/req-di.json" \
  --token "$tmp/token" --allow-http-loopback
di_id=$(cat "$tmp/out")
case "$di_id" in cred-*) ok ;; *) bad "receive printed '$di_id'" ;; esac
expect 0 "list" -- w list --allow-http-loopback
contains "$tmp/out" "$di_id" "list shows it"
contains "$tmp/out" "status:     valid" "list: valid"
lacks "$tmp/out" "holder key: -" "bound to the new holder key"
expect 0 "list --offline" -- w list --offline
contains "$tmp/out" "status:     not checked" "offline: not checked"
expect 0 "list over http without the option" -- w list
contains "$tmp/out" "status:     unknown (" "a list that cannot be fetched: unknown"
contains "$tmp/out" "DID_ERR_FETCH_SCHEME" "with the reason"
expect 0 "show" -- w show "$di_id" --allow-http-loopback
contains "$tmp/out" '"status": "valid"' "show: valid"
contains "$tmp/out" '"statusListCredential"' "show: the status entry"

# Challenge and present --to.
expect 0 "challenge" -- wl challenge --from "$vbase" --allow-http-loopback
[ "$(wc -c < "$tmp/out")" -eq 23 ] && ok || bad "challenge: 22 characters expected"
expect 0 "present --to" -- w present "$di_id" --to "$vbase" --allow-http-loopback
contains "$tmp/out" "verified: true" "the verifier verified it"
c=$(timeout 30 "$wallet" challenge --from "$vbase" --allow-http-loopback)
expect 0 "present --to with --challenge --out" -- w present "$di_id" --to "$vbase" \
  --challenge "$c" --out "$tmp/vp.json" --allow-http-loopback
contains "$tmp/out" "verified: true" "verified with a fetched challenge"
contains "$tmp/vp.json" '"VerifiablePresentation"' "the presentation was written too"
expect 1 "present --to with an unknown challenge" -- w present "$di_id" --to "$vbase" \
  --challenge "AAAAAAAAAAAAAAAAAAAAAA" --allow-http-loopback
contains "$tmp/out" "verified: false" "unknown challenge not verified"
expect 0 "history" -- w history
contains "$tmp/out" "$vbase" "consent log names the verifier"

# SD-JWT VC: received with cnf of a new key, presented with one disclosure.
expect 0 "receive sd-jwt" -- w receive --from "$ibase" --request "$tmp/req-sd.json" \
  --token "$tmp/token" --allow-http-loopback
sd_id=$(cat "$tmp/out")
expect 0 "list (sd-jwt: no credentialStatus)" -- w list --allow-http-loopback
contains "$tmp/out" "status:     none" "sd-jwt without status: none"
expect 0 "present sd-jwt --to" -- w present "$sd_id" --disclose /given_name --to "$vbase" \
  --allow-http-loopback
contains "$tmp/out" "verified: true" "sd-jwt verified"

# The issuer revokes the Data Integrity credential.
cred_url=$(w show "$di_id" --offline | python3 -c 'import json,sys; print(json.load(sys.stdin)["credential"]["id"])')
printf '{"credentialId": "%s", "action": "revoke"}\n' "$cred_url" > "$tmp/revoke.json"
code=$(curl -s --max-time 30 -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data-binary "@$tmp/revoke.json" "$ibase/credentials/status")
[ "$code" = 200 ] && ok || bad "revoke: HTTP $code"
expect 0 "list after revocation" -- w list --allow-http-loopback
contains "$tmp/out" "status:     revoked" "list: revoked"
expect 0 "show after revocation" -- w show "$di_id" --allow-http-loopback
contains "$tmp/out" '"status": "revoked"' "show: revoked"
expect 1 "present a revoked credential" -- w present "$di_id" --to "$vbase" --allow-http-loopback
contains "$tmp/err" "DID_ERR_STATUS_REVOKED" "refused by the wallet"
contains "$tmp/err" "--force" "the message names --force"
expect 1 "present a revoked credential to a file" -- w present "$di_id" --challenge c1 \
  --domain https://v.example --out "$tmp/vp2.json" --allow-http-loopback
contains "$tmp/err" "DID_ERR_STATUS_REVOKED" "refused for a file too"
expect 1 "present --force --to" -- w present "$di_id" --force --to "$vbase" --allow-http-loopback
contains "$tmp/out" "verified: false" "the verifier refuses it"
contains "$tmp/out" "DID_ERR_STATUS_REVOKED" "with the revocation code"
expect 0 "present --offline to a file" -- w present "$di_id" --offline --challenge c1 \
  --domain https://v.example --out "$tmp/vp3.json"

# Errors from the network: nothing listening, wrong base URL.
expect 1 "challenge from a closed port" -- wl challenge --from http://127.0.0.1:1 \
  --allow-http-loopback
contains "$tmp/err" "DID_ERR_FETCH" "connection refused"
expect 1 "challenge from the issuer (404)" -- wl challenge --from "$ibase" \
  --allow-http-loopback
contains "$tmp/err" "DID_ERR_FETCH_STATUS" "HTTP status error"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
