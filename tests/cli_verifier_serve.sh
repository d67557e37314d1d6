#!/usr/bin/env bash
# civid-verifier serve, the real daemon on 127.0.0.1 (port 0), driven with the curl command-line
# tool: credentials issued with civid-issuer in every format verified over HTTP, tampered ones
# refused, challenges (single use, durable across a restart), the trust policy, DID resolution,
# bad requests answered with 4xx problem details while the daemon keeps serving, /health and
# /metrics, the access log, SIGTERM -> exit 0, and did:web documents and status lists fetched
# from a loopback web server (revocation seen over HTTP). (Presentations with key binding and
# Data Integrity presentations are made with libdid in tests/test_verifier_service.c.)
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
tmp=$(mktemp -d)
pid=
hpid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
  if [ -n "$hpid" ] && kill -0 "$hpid" 2>/dev/null; then kill -TERM "$hpid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0
ok()  { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
contains() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; head -c 2000 "$1" | sed 's/^/  /' >&2; echo >&2; fi
}
lacks() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' in output"; else ok; fi
}

# start_server ARGS... : runs the daemon in the background, waits (at most 10 s) for its first
# line of output, sets $pid and $base.
start_server() {
  # Emptied here, not only by the redirection below: that runs in the background child, and the
  # loop must never read the previous server's address.
  : >"$tmp/serve.out"
  "$verifier" serve --listen 127.0.0.1:0 "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
  pid=$!
  base=
  for _ in $(seq 100); do
    if [ -s "$tmp/serve.out" ]; then base=http://$(head -n 1 "$tmp/serve.out"); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  case "$base" in
    http://127.0.0.1:[1-9]*) ok ;;
    *) bad "the server did not print its address"; cat "$tmp/serve.err" >&2; exit 1 ;;
  esac
}

# stop_server: SIGTERM, then the exit status must be 0 within 10 s.
stop_server() {
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then bad "still running 10 s after SIGTERM"; kill -KILL "$pid"; fi
  wait "$pid"
  local st=$?
  [ "$st" -eq 0 ] && ok || bad "exit status $st after SIGTERM, expected 0"
  pid=
  contains "$tmp/serve.err" "civid-verifier: serve: stopped" "shutdown message"
}

# http METHOD PATH [BODY-FILE [CONTENT-TYPE]] -> status in $code, body in $tmp/body
http() {
  local method=$1 path=$2 file=${3:-} ctype=${4:-application/json}
  if [ -n "$file" ]; then
    code=$(curl -s --max-time 30 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" \
           -H "Content-Type: $ctype" --data-binary "@$file" "$base$path")
  else
    code=$(curl -s --max-time 30 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method" \
           "$base$path")
  fi
}
expect_code() { # WANT DESCRIPTION
  if [ "$code" = "$1" ]; then ok; else bad "$2: HTTP $code, expected $1"; head -c 1500 "$tmp/body" | sed 's/^/  /' >&2; echo >&2; fi
}
# problem STATUS NAME DESCRIPTION: an RFC 9457 problem with this status and error name
problem() {
  expect_code "$1" "$3"
  contains "$tmp/headers" "Content-Type: application/problem+json" "$3 content type"
  contains "$tmp/body" "\"name\":\"$2\"" "$3 error name"
  contains "$tmp/body" "\"type\":\"urn:civid:error:$2\"" "$3 problem type"
}

# request MEMBER FILE OUT: wraps a credential file (a JSON object or a token) in a request body
request() {
  python3 - "$1" "$2" "$3" "${4:-}" <<'PY'
import json, sys
member, src, out, challenge = sys.argv[1:5]
text = open(src).read().strip()
try:
    doc = json.loads(text)
except ValueError:
    doc = text
body = {member: doc}
if challenge:
    body["options"] = {"challenge": challenge, "domain": "https://verifier.example"}
json.dump(body, open(out, "w"))
PY
}

export CIVID_PASSPHRASE="correct horse battery staple"
for t in ed25519 p256 secp256k1; do
  "$issuer" keygen --type "$t" --out "$tmp/$t.key" --kdf min >/dev/null || bad "keygen $t"
done
trusted=$("$issuer" did --key "$tmp/ed25519.key")
holder=$("$issuer" did --key "$tmp/p256.key")
cat > "$tmp/vc.json" <<'JSON'
{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
 "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
 "type": ["VerifiableCredential", "ExampleAlumniCredential"],
 "validFrom": "2023-01-01T00:00:00Z",
 "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}}
JSON
cat > "$tmp/config.json" <<JSON
{"threads": 2, "maxBodyBytes": 65536, "challengeTtl": 120,
 "trustedIssuers": ["$trusted"], "unknownIssuer": "warn", "didWeb": false, "statusLists": false}
JSON

# Usage errors.
"$verifier" serve --help >"$tmp/out" 2>&1 && ok || bad "serve --help"
contains "$tmp/out" "usage: civid-verifier serve" "serve --help text"
"$verifier" serve --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && ok || bad "serve without --data"
"$verifier" serve --data "$tmp/d2" --listen localhost:1 >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && ok || bad "serve with a host name"
contains "$tmp/err" "CH_ERR_HTTP_LISTEN" "listen error name"
echo '{"threads": 2, "nope": 1}' > "$tmp/badcfg.json"
"$verifier" serve --data "$tmp/d2" --config "$tmp/badcfg.json" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && ok || bad "unknown config member"
contains "$tmp/err" "DID_ERR_JSON_TYPE" "config error name"

start_server --data "$tmp/data" --config "$tmp/config.json"
dmode=$(stat -c %a "$tmp/data")
[ "$dmode" = 700 ] && ok || bad "data directory mode $dmode, expected 700"

http GET /health
expect_code 200 "health"
contains "$tmp/body" '"status":"ok"' "health body"
contains "$tmp/headers" "X-Request-Id: " "request id header"

# Credentials in every format, issued by the CLI, verified over HTTP.
for combo in di-eddsa-jcs:ed25519 di-ecdsa-jcs:p256 vc-jwt:ed25519 vc-jwt:p256 vc-jwt:secp256k1; do
  fmt=${combo%%:*}; t=${combo##*:}
  "$issuer" issue --key "$tmp/$t.key" --format "$fmt" "$tmp/vc.json" > "$tmp/$fmt-$t.cred" || bad "issue $fmt $t"
  request verifiableCredential "$tmp/$fmt-$t.cred" "$tmp/req.json"
  http POST /credentials/verify "$tmp/req.json"
  expect_code 200 "verify $fmt $t"
  contains "$tmp/body" '"verified":true' "verify $fmt $t result"
  contains "$tmp/body" '"signature"' "verify $fmt $t signature check"
  contains "$tmp/body" '"issuerTrust"' "verify $fmt $t trust check"
  if [ "$t" = ed25519 ]; then
    lacks "$tmp/body" "DID_ERR_VC_ISSUER_UNTRUSTED" "trusted issuer $fmt"
  else
    contains "$tmp/body" "DID_ERR_VC_ISSUER_UNTRUSTED" "untrusted issuer $fmt $t (warning)"
  fi
done
# An enveloped credential (a JSON object holding a vc+jwt data: URL).
python3 - "$tmp/vc-jwt-ed25519.cred" "$tmp/req.json" <<'PY'
import json, sys
tok = open(sys.argv[1]).read().strip()
env = {"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential",
       "id": "data:application/vc+jwt," + tok}
json.dump({"verifiableCredential": env, "options": {"returnCredential": True}}, open(sys.argv[2], "w"))
PY
http POST /credentials/verify "$tmp/req.json"
expect_code 200 "enveloped vc+jwt"
contains "$tmp/body" '"verified":true' "enveloped vc+jwt result"
contains "$tmp/body" '"verifiableCredential":{' "returnCredential"
# SD-JWT VC.
cat > "$tmp/claims.json" <<'JSON'
{"vct": "https://credentials.example.com/identity_credential", "given_name": "Erika",
 "family_name": "Mustermann"}
JSON
"$issuer" issue --key "$tmp/ed25519.key" --format sd-jwt --sd /given_name --holder "$holder" \
  "$tmp/claims.json" > "$tmp/sd.txt" || bad "issue sd-jwt"
request verifiableCredential "$tmp/sd.txt" "$tmp/req.json"
http POST /credentials/verify "$tmp/req.json"
expect_code 200 "verify sd-jwt"
contains "$tmp/body" '"verified":true' "verify sd-jwt result"

# Tampering.
sed 's/The School of Examples/The School of Forgery/' "$tmp/di-eddsa-jcs-ed25519.cred" > "$tmp/t1"
request verifiableCredential "$tmp/t1" "$tmp/req.json"
http POST /credentials/verify "$tmp/req.json"
expect_code 200 "tampered DI"
contains "$tmp/body" '"verified":false' "tampered DI result"
contains "$tmp/body" '"name":"DID_ERR_DI_SIGNATURE"' "tampered DI code"
IFS=. read -r h p s < "$tmp/vc-jwt-p256.cred"
printf '%s.%s.%s\n' "$h" "$(printf '%s' "$p" | tr 'A-Za-z' 'B-ZAb-za')" "$s" > "$tmp/t2"
request verifiableCredential "$tmp/t2" "$tmp/req.json"
http POST /credentials/verify "$tmp/req.json"
expect_code 200 "tampered vc+jwt"
contains "$tmp/body" '"verified":false' "tampered vc+jwt result"

# Challenges: issued, single use; unknown ones refused.
http POST /challenges
expect_code 201 "challenge"
challenge=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$tmp/body")
[ ${#challenge} -eq 22 ] && ok || bad "challenge '$challenge' is not 22 characters"
echo '{}' > "$tmp/empty.json"
http POST /challenges "$tmp/empty.json"
expect_code 201 "challenge with {}"
# An SD-JWT without key binding cannot answer a challenge; the attempt spends the challenge.
request verifiablePresentation "$tmp/sd.txt" "$tmp/req.json" "$challenge"
http POST /presentations/verify "$tmp/req.json"
expect_code 200 "presentation without key binding"
contains "$tmp/body" '"verified":false' "presentation without key binding result"
contains "$tmp/body" '"name":"DID_ERR_SDJWT_KB"' "key binding required"
http POST /presentations/verify "$tmp/req.json"
contains "$tmp/body" '"name":"DID_ERR_VP_CHALLENGE_USED"' "challenge reuse"
request verifiablePresentation "$tmp/sd.txt" "$tmp/req.json" "bm90LWEtY2hhbGxlbmdlMQ"
http POST /presentations/verify "$tmp/req.json"
contains "$tmp/body" '"name":"DID_ERR_VP_CHALLENGE_UNKNOWN"' "unknown challenge"
request verifiablePresentation "$tmp/sd.txt" "$tmp/req.json"
http POST /presentations/verify "$tmp/req.json"
contains "$tmp/body" '"name":"DID_ERR_VP_CHALLENGE_UNKNOWN"' "no challenge"
# A credential where a presentation is expected.
http POST /challenges
c2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$tmp/body")
request verifiablePresentation "$tmp/vc-jwt-ed25519.cred" "$tmp/req.json" "$c2"
http POST /presentations/verify "$tmp/req.json"
contains "$tmp/body" '"name":"DID_ERR_VC_TYPE"' "credential to /presentations/verify"

# DID resolution (Universal Resolver driver interface).
http GET "/1.0/identifiers/$trusted"
expect_code 200 "resolve"
contains "$tmp/headers" "Content-Type: application/did-resolution+json" "resolution content type"
contains "$tmp/body" "\"id\":\"$trusted\"" "resolved document"
http GET /1.0/identifiers/did:key:zBroken
expect_code 400 "resolve an invalid DID"
contains "$tmp/body" '"error":"invalidDid"' "invalidDid"
http GET /1.0/identifiers/did:example:123
expect_code 501 "resolve an unsupported method"
contains "$tmp/body" '"error":"methodNotSupported"' "methodNotSupported"

# Bad requests: 4xx problem details, and the daemon keeps serving.
printf '{"verifiableCredential": ' > "$tmp/broken.json"
http POST /credentials/verify "$tmp/broken.json"
problem 400 DID_ERR_JSON_SYNTAX "malformed JSON"
printf '{"verifiableCredential": {}, "verifiableCredential": {}}' > "$tmp/dup.json"
http POST /credentials/verify "$tmp/dup.json"
problem 400 DID_ERR_JSON_DUPLICATE_KEY "duplicate member"
echo '{"credential": {}}' > "$tmp/wrong.json"
http POST /credentials/verify "$tmp/wrong.json"
problem 400 DID_ERR_JSON_TYPE "wrong member"
echo '{"verifiableCredential": "hello"}' > "$tmp/notvc.json"
http POST /credentials/verify "$tmp/notvc.json"
problem 400 DID_ERR_VC_FORMAT "not a credential"
http POST /credentials/verify "$tmp/req.json" text/plain
problem 415 CH_ERR_HTTP_MEDIA_TYPE "wrong content type"
python3 -c 'import json; json.dump({"verifiableCredential": "x" * 70000}, open(__import__("sys").argv[1], "w"))' "$tmp/big.json"
http POST /credentials/verify "$tmp/big.json"
problem 413 CH_ERR_HTTP_TOO_LARGE "oversized body"
http GET /credentials/verify
problem 405 CH_ERR_HTTP_METHOD "GET on a POST resource"
http GET /no/such/thing
problem 404 CH_ERR_HTTP_NOT_FOUND "unknown path"
request verifiableCredential "$tmp/di-eddsa-jcs-ed25519.cred" "$tmp/req.json"
http POST /credentials/verify "$tmp/req.json"
contains "$tmp/body" '"verified":true' "still serving after bad requests"

http GET /metrics
expect_code 200 "metrics"
contains "$tmp/body" '# TYPE civid_http_requests_total counter' "metrics: requests"
contains "$tmp/body" 'civid_http_requests_total{method="POST",route="/credentials/verify",class="4xx"}' "metrics: 4xx by route"
contains "$tmp/body" 'civid_http_request_duration_seconds_bucket{le="+Inf"}' "metrics: histogram"
contains "$tmp/body" 'civid_verifier_challenges_stored ' "metrics: challenges gauge"

stop_server
# The access log: one JSON object per request after the address line.
tail -n +2 "$tmp/serve.out" > "$tmp/access.log"
python3 - "$tmp/access.log" <<'PY' && ok || bad "access log lines are not JSON with the fields"
import json, sys
n = 0
for line in open(sys.argv[1]):
    rec = json.loads(line)
    for k in ("time", "id", "method", "path", "status", "bytes", "duration_us", "client"):
        assert k in rec, (k, line)
    n += 1
assert n >= 30, n
PY
lacks "$tmp/access.log" "School of" "no bodies in the access log"
for f in data.mdb lock.mdb; do
  m=$(stat -c %a "$tmp/data/$f")
  [ "$m" = 600 ] && ok || bad "$f mode $m, expected 600"
done

# A restart on the same data: a spent challenge stays spent.
start_server --data "$tmp/data" --config "$tmp/config.json" --access-log off
request verifiablePresentation "$tmp/sd.txt" "$tmp/req.json" "$challenge"
http POST /presentations/verify "$tmp/req.json"
contains "$tmp/body" '"name":"DID_ERR_VP_CHALLENGE_USED"' "challenge spent across a restart"
[ "$(wc -l < "$tmp/serve.out")" -eq 1 ] && ok || bad "--access-log off still logged"
# --unknown-issuer error on the command line overrides the file.
stop_server
start_server --data "$tmp/data" --config "$tmp/config.json" --unknown-issuer error --access-log off
request verifiableCredential "$tmp/vc-jwt-p256.cred" "$tmp/req.json"
http POST /credentials/verify "$tmp/req.json"
contains "$tmp/body" '"verified":false' "untrusted issuer is an error"
contains "$tmp/body" '"name":"DID_ERR_VC_ISSUER_UNTRUSTED"' "untrusted issuer code"
stop_server

# did:web and status lists over plain http from a loopback web server (--allow-http-loopback;
# production fetches are https only).
mkdir -p "$tmp/site/.well-known" "$tmp/site/status"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$tmp/site" >"$tmp/http.log" 2>&1 &
hpid=$!
hport=
for _ in $(seq 100); do
  hport=$(grep -oE 'port [0-9]+' "$tmp/http.log" | head -n 1 | cut -d' ' -f2)
  [ -n "$hport" ] && break
  sleep 0.1
done
if [ -z "$hport" ]; then bad "the test web server did not start"; else
  ok
  web="did:web:localhost%3A$hport"
  "$verifier" resolve "$trusted" | python3 -c '
import json, sys
doc = json.load(sys.stdin); old, new = doc["id"], sys.argv[1]
print(json.dumps(doc).replace(old, new))' "$web" > "$tmp/site/.well-known/did.json"
  surl="http://127.0.0.1:$hport/status"
  "$issuer" status-list --key "$tmp/ed25519.key" --format vc-jwt --url "$surl/1" > "$tmp/site/status/1" || bad "status list 1"
  "$issuer" status-list --key "$tmp/ed25519.key" --format vc-jwt --url "$surl/2" --set 42 > "$tmp/site/status/2" || bad "status list 2"
  for n in 1 2; do
    "$issuer" issue --key "$tmp/ed25519.key" --format vc-jwt --status-list "$surl/$n" \
      --status-index 42 "$tmp/vc.json" > "$tmp/st$n.cred" || bad "issue with status list $n"
  done
  cat > "$tmp/config2.json" <<JSON
{"trustedIssuers": ["$trusted"], "didWeb": true, "statusLists": true, "allowHttpLoopback": true,
 "fetchTimeoutMs": 5000}
JSON
  start_server --data "$tmp/data" --config "$tmp/config2.json" --access-log off
  http GET "/1.0/identifiers/$web"
  expect_code 200 "resolve did:web"
  contains "$tmp/body" "\"id\":\"$web\"" "did:web document"
  request verifiableCredential "$tmp/st1.cred" "$tmp/req.json"
  http POST /credentials/verify "$tmp/req.json"
  contains "$tmp/body" '"verified":true' "status list: not revoked"
  contains "$tmp/body" '"credentialStatus"' "status check ran"
  request verifiableCredential "$tmp/st2.cred" "$tmp/req.json"
  http POST /credentials/verify "$tmp/req.json"
  contains "$tmp/body" '"verified":false' "status list: revoked"
  contains "$tmp/body" '"name":"DID_ERR_STATUS_REVOKED"' "revoked code"
  stop_server
fi

echo "cli_verifier_serve: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
