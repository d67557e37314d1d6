#!/usr/bin/env bash
# civid-issuer serve, the real daemon on 127.0.0.1 (port 0), driven with the curl command-line
# tool: credentials issued over HTTP in every format and verified with `civid-verifier check`
# and through a running `civid-verifier serve`; the bearer token; bad requests answered with 4xx
# problem details while the daemon keeps serving; revocation seen in the served status list
# (offline and over HTTP); the did:web document served and a did:web credential verified
# through did:web resolution; key rotation; SIGTERM -> exit 0; state kept across a restart.
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
tmp=$(mktemp -d)
pid=
vpid=
cleanup() {
  for p in "$pid" "$vpid"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null; fi
  done
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

# start PROGRAM OUTFILE ARGS...: runs a daemon in the background, waits (at most 10 s) for its
# first line of output; sets $started_pid and $started_base.
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
start_issuer() { start "$issuer" "$tmp/iss.out" --kdf min --access-log off "$@"; pid=$started_pid; base=$started_base; }
start_verifier() { start "$verifier" "$tmp/ver.out" --access-log off "$@"; vpid=$started_pid; vbase=$started_base; }

# stop PID NAME: SIGTERM, then the exit status must be 0 within 10 s.
stop() {
  kill -TERM "$1"
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then bad "$2 still running 10 s after SIGTERM"; kill -KILL "$1"; fi
  wait "$1"
  local st=$?
  [ "$st" -eq 0 ] && ok || bad "$2: exit status $st after SIGTERM, expected 0"
}
stop_issuer() { stop "$pid" issuer; pid=; contains "$tmp/iss.out.err" "civid-issuer: serve: stopped" "shutdown message"; }
stop_verifier() { stop "$vpid" verifier; vpid=; }

# http METHOD URL [BODY-FILE [CONTENT-TYPE [TOKEN]]] -> status in $code, body in $tmp/body
token=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
http() {
  local method=$1 url=$2 file=${3:-} ctype=${4:-application/json} tok=${5-$token}
  local args=(-s --max-time 30 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$method")
  [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
  [ -n "$file" ] && args+=(-H "Content-Type: $ctype" --data-binary "@$file")
  code=$(curl "${args[@]}" "$url")
}
expect_code() { # WANT DESCRIPTION
  if [ "$code" = "$1" ]; then ok; else bad "$2: HTTP $code, expected $1"; head -c 1500 "$tmp/body" | sed 's/^/  /' >&2; echo >&2; fi
}
problem() { # STATUS NAME DESCRIPTION
  expect_code "$1" "$3"
  contains "$tmp/headers" "Content-Type: application/problem+json" "$3 content type"
  contains "$tmp/body" "\"name\":\"$2\"" "$3 error name"
  contains "$tmp/body" "\"type\":\"urn:civid:error:$2\"" "$3 problem type"
}
# issue_req OUT FORMAT [STATUS-JSON [ID]]: a POST /credentials/issue body for the example
issue_req() {
  python3 - "$@" <<'PY'
import json, sys
out, fmt = sys.argv[1:3]
status = sys.argv[3] if len(sys.argv) > 3 else ""
cid = sys.argv[4] if len(sys.argv) > 4 else ""
if fmt == "sd-jwt":
    cred = {"vct": "https://credentials.example.com/identity_credential", "given_name": "Erika",
            "family_name": "Mustermann"}
else:
    cred = {"@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential", "ExampleAlumniCredential"],
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}}
    if cid:
        cred["id"] = cid
opts = {"format": fmt}
if status:
    opts["status"] = json.loads(status)
json.dump({"credential": cred, "options": opts}, open(out, "w"))
PY
}
# extract OUT: the verifiableCredential of $tmp/body, as a file civid-verifier check reads
extract() {
  python3 - "$tmp/body" "$1" <<'PY'
import json, sys
vc = json.load(open(sys.argv[1]))["verifiableCredential"]
open(sys.argv[2], "w").write(vc if isinstance(vc, str) else json.dumps(vc))
PY
}
# vreq CRED OUT: a POST /credentials/verify body
vreq() {
  python3 - "$1" "$2" <<'PY'
import json, sys
text = open(sys.argv[1]).read().strip()
try:
    doc = json.loads(text)
except ValueError:
    doc = text
json.dump({"verifiableCredential": doc}, open(sys.argv[2], "w"))
PY
}

export CIVID_PASSPHRASE="correct horse battery staple"
unset CIVID_ISSUER_TOKEN
printf '%s\n' "$token" > "$tmp/token"

# Usage errors.
"$issuer" serve --help >"$tmp/out" 2>&1 && ok || bad "serve --help"
contains "$tmp/out" "usage: civid-issuer serve" "serve --help text"
"$issuer" --help >"$tmp/out" 2>&1 && ok || bad "--help"
contains "$tmp/out" "serve" "--help lists serve"
"$issuer" serve --listen 127.0.0.1:0 >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && ok || bad "serve without --data"
"$issuer" serve --listen 127.0.0.1:0 --data "$tmp/d0" --kdf min >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] && ok || bad "serve without a token"
contains "$tmp/err" "ISSUER_ERR_NO_TOKEN" "no token error name"
echo '{"nope": 1}' > "$tmp/badcfg.json"
"$issuer" serve --data "$tmp/d0" --config "$tmp/badcfg.json" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && ok || bad "unknown config member"
contains "$tmp/err" "DID_ERR_JSON_TYPE" "config error name"

# The main issuer: did:key, Ed25519, status lists as vc+jwt.
start_issuer --listen 127.0.0.1:0 --data "$tmp/data" --token-file "$tmp/token"
dmode=$(stat -c %a "$tmp/data")
[ "$dmode" = 700 ] && ok || bad "data directory mode $dmode, expected 700"
did=$(sed -n 's/^civid-issuer: serve: issuing as //p' "$tmp/iss.out.err")
case "$did" in did:key:z6Mk*) ok ;; *) bad "issuer DID '$did'" ;; esac
holder=$("$issuer" keygen --type p256 --out "$tmp/holder.key" --kdf min) || bad "holder keygen"

http GET "$base/health" "" "" ""
expect_code 200 "health"

# Every format, verified offline.
for fmt in di-eddsa-jcs vc-jwt sd-jwt; do
  issue_req "$tmp/req.json" "$fmt"
  [ "$fmt" = sd-jwt ] && python3 - "$tmp/req.json" "$holder" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); r["options"]["sd"] = ["/given_name"]; r["options"]["holder"] = sys.argv[2]
json.dump(r, open(sys.argv[1], "w"))
PY
  http POST "$base/credentials/issue" "$tmp/req.json"
  expect_code 201 "issue $fmt"
  extract "$tmp/$fmt.cred"
  "$verifier" check "$tmp/$fmt.cred" > "$tmp/check.json"; st=$?
  [ "$st" -eq 0 ] && ok || bad "check $fmt: exit $st"
  contains "$tmp/check.json" '"verified": true' "check $fmt result"
done
contains "$tmp/di-eddsa-jcs.cred" "\"issuer\": \"$did\"" "issuer DID filled in"
# di-ecdsa-jcs needs a P-256 or P-384 key: 400 from this Ed25519 issuer...
issue_req "$tmp/req.json" di-ecdsa-jcs
http POST "$base/credentials/issue" "$tmp/req.json"
problem 400 DID_ERR_DI_KEY "di-ecdsa-jcs with an Ed25519 key"

# The bearer token.
issue_req "$tmp/req.json" vc-jwt
http POST "$base/credentials/issue" "$tmp/req.json" application/json ""
problem 401 CH_ERR_HTTP_UNAUTHORIZED "no token"
contains "$tmp/headers" "WWW-Authenticate: Bearer" "WWW-Authenticate"
http POST "$base/credentials/issue" "$tmp/req.json" application/json "not-the-token"
problem 401 CH_ERR_HTTP_UNAUTHORIZED "wrong token"
echo '{"credentialId": "urn:x", "action": "revoke"}' > "$tmp/st.json"
http POST "$base/credentials/status" "$tmp/st.json" application/json ""
problem 401 CH_ERR_HTTP_UNAUTHORIZED "status change without token"

# Bad requests: 4xx problem details, nothing written, and the daemon keeps serving.
printf '{"credential": ' > "$tmp/broken.json"
http POST "$base/credentials/issue" "$tmp/broken.json"
problem 400 DID_ERR_JSON_SYNTAX "malformed JSON"
http POST "$base/credentials/issue" "$tmp/req.json" text/plain
problem 415 CH_ERR_HTTP_MEDIA_TYPE "wrong content type"
issue_req "$tmp/req.json" jwt-vc
http POST "$base/credentials/issue" "$tmp/req.json"
problem 400 ISSUER_ERR_FORMAT "unknown format"
echo '{"credential": {}, "options": {"fromat": "vc-jwt"}}' > "$tmp/typo.json"
http POST "$base/credentials/issue" "$tmp/typo.json"
problem 400 DID_ERR_JSON_TYPE "unknown option"
echo '{"credential": {"type": ["VerifiableCredential"], "credentialSubject": {"a": 1}}, "options": {"format": "vc-jwt", "status": true}}' > "$tmp/nocontext.json"
http POST "$base/credentials/issue" "$tmp/nocontext.json"
problem 400 DID_ERR_VC_CONTEXT "model check"
echo '{"credential": {"vct": "x"}, "options": {"format": "sd-jwt", "status": true}}' > "$tmp/sdst.json"
http POST "$base/credentials/issue" "$tmp/sdst.json"
problem 400 ISSUER_ERR_FORMAT "status with sd-jwt"
http GET "$base/status/99"
problem 404 ISSUER_ERR_LIST_UNKNOWN "no such list"
http GET "$base/status/01"
problem 404 ISSUER_ERR_LIST_UNKNOWN "list id with a leading zero"
http GET "$base/.well-known/did.json"
problem 404 CH_ERR_HTTP_NOT_FOUND "no did:web document for a did:key issuer"

# Status: revocation and suspension entries, a change, the list.
cid="urn:uuid:2f6f1c3e-1c1a-4c39-9d7c-5a1f6e0d2b10"
issue_req "$tmp/req.json" vc-jwt '{"purpose": ["revocation", "suspension"]}' "$cid"
http POST "$base/credentials/issue" "$tmp/req.json"
expect_code 201 "issue with status"
extract "$tmp/st.cred"
python3 - "$tmp/st.cred" <<'PY' && ok || bad "credentialStatus entries"
import base64, json, sys
p = open(sys.argv[1]).read().strip().split(".")[1]
vc = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
cs = vc["credentialStatus"]
assert [e["statusPurpose"] for e in cs] == ["revocation", "suspension"], cs
assert all(e["type"] == "BitstringStatusListEntry" for e in cs)
PY
http POST "$base/credentials/issue" "$tmp/req.json"
problem 409 ISSUER_ERR_CREDENTIAL_EXISTS "same id twice"
rurl=$(python3 - "$tmp/st.cred" <<'PY'
import base64, json, sys
p = open(sys.argv[1]).read().strip().split(".")[1]
vc = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
print(vc["credentialStatus"][0]["statusListCredential"])
PY
)
curl -s --max-time 30 -D "$tmp/lh" -o "$tmp/list-before" "$rurl"
curl -s --max-time 30 -o "$tmp/slist" "${rurl%/*}/2"
contains "$tmp/lh" "Cache-Control: max-age=300" "status list cache header"
contains "$tmp/lh" "Content-Type: application/vc+jwt" "status list media type"
"$verifier" check --status-list "$tmp/list-before" --status-list "$tmp/slist" "$tmp/st.cred" > "$tmp/check.json"; st=$?
[ "$st" -eq 0 ] && ok || { bad "check before revocation: exit $st"; cat "$tmp/check.json" >&2; }
echo "{\"credentialId\": \"$cid\", \"credentialStatus\": [{\"type\": \"BitstringStatusListEntry\", \"status\": \"revoked\"}]}" > "$tmp/revoke.json"
http POST "$base/credentials/status" "$tmp/revoke.json"
expect_code 200 "revoke"
contains "$tmp/body" '"changed":true' "revoke changed"
echo '{"credentialId": "urn:uuid:00000000-0000-4000-8000-000000000000", "action": "revoke"}' > "$tmp/unknown.json"
http POST "$base/credentials/status" "$tmp/unknown.json"
problem 404 ISSUER_ERR_CREDENTIAL_UNKNOWN "unknown credential id"
echo '{"credentialId": "x", "action": "delete"}' > "$tmp/badaction.json"
http POST "$base/credentials/status" "$tmp/badaction.json"
problem 400 DID_ERR_JSON_TYPE "unknown action"
curl -s --max-time 30 -o "$tmp/list-after" "$rurl"
"$verifier" check --status-list "$tmp/list-after" --status-list "$tmp/slist" "$tmp/st.cred" > "$tmp/check.json"; st=$?
[ "$st" -eq 1 ] && ok || bad "check after revocation: exit $st, expected 1"
contains "$tmp/check.json" "DID_ERR_STATUS_REVOKED" "revoked after the status change"
# Suspension: suspend, then unsuspend.
echo "{\"credentialId\": \"$cid\", \"action\": \"suspend\"}" > "$tmp/suspend.json"
http POST "$base/credentials/status" "$tmp/suspend.json"
expect_code 200 "suspend"
echo "{\"credentialId\": \"$cid\", \"action\": \"unsuspend\"}" > "$tmp/unsuspend.json"
http POST "$base/credentials/status" "$tmp/unsuspend.json"
expect_code 200 "unsuspend"
contains "$tmp/body" '"status":"unsuspended"' "unsuspend answer"
# A credential issued without a suspension entry cannot be suspended.
cid2="urn:uuid:7a9e6c58-3f0e-4a8e-9b1e-0c7d1e2f3a4b"
issue_req "$tmp/req.json" di-eddsa-jcs true "$cid2"
http POST "$base/credentials/issue" "$tmp/req.json"
expect_code 201 "issue DI with revocation status"
extract "$tmp/st2.cred"
echo "{\"credentialId\": \"$cid2\", \"action\": \"suspend\"}" > "$tmp/suspend2.json"
http POST "$base/credentials/status" "$tmp/suspend2.json"
problem 409 ISSUER_ERR_NO_STATUS "suspend without a suspension entry"

# Through a running verifier that fetches status lists over loopback http.
echo '{"didWeb": true, "statusLists": true, "allowHttpLoopback": true, "fetchTimeoutMs": 5000}' > "$tmp/vcfg.json"
start_verifier --listen 127.0.0.1:0 --data "$tmp/vdata" --config "$tmp/vcfg.json"
vreq "$tmp/st.cred" "$tmp/vreq.json"
http POST "$vbase/credentials/verify" "$tmp/vreq.json"
contains "$tmp/body" '"verified":false' "verifier serve: revoked credential"
contains "$tmp/body" '"name":"DID_ERR_STATUS_REVOKED"' "verifier serve: revoked code"
vreq "$tmp/st2.cred" "$tmp/vreq.json"
http POST "$vbase/credentials/verify" "$tmp/vreq.json"
contains "$tmp/body" '"verified":true' "verifier serve: DI credential with a status entry"
stop_verifier

http GET "$base/metrics" "" "" ""
contains "$tmp/body" "civid_issuer_issued_total 5" "metrics: issued"
contains "$tmp/body" "civid_issuer_status_changes_total 3" "metrics: status changes"
contains "$tmp/body" "civid_issuer_credentials_recorded 2" "metrics: records"
stop_issuer
for f in data.mdb lock.mdb; do
  m=$(stat -c %a "$tmp/data/$f")
  [ "$m" = 600 ] && ok || bad "$f mode $m, expected 600"
done
lacks "$tmp/data/data.mdb" "$token" "the token is not stored in clear"

# A restart on the same data (and port: the status list URLs derive from the bound address when
# no baseUrl is configured): same key, the list keeps its bits, the record its entries. The
# stored token stays valid without --token-file.
mainport=${base##*:}
start_issuer --listen "127.0.0.1:$mainport" --data "$tmp/data"
contains "$tmp/iss.out.err" "issuing as $did" "same DID after a restart"
http GET "$base/status/1"
expect_code 200 "list after restart"
cp "$tmp/body" "$tmp/list-restart"
"$verifier" check --status-list "$tmp/list-restart" --status-list "$tmp/slist" "$tmp/st.cred" > "$tmp/check.json"
contains "$tmp/check.json" "DID_ERR_STATUS_REVOKED" "revocation kept across a restart"
http POST "$base/credentials/status" "$tmp/revoke.json"
expect_code 200 "revoke again"
contains "$tmp/body" '"changed":false' "revoking twice changes nothing"
issue_req "$tmp/req.json" vc-jwt '{"purpose": ["revocation", "suspension"]}' "$cid"
http POST "$base/credentials/issue" "$tmp/req.json"
problem 409 ISSUER_ERR_CREDENTIAL_EXISTS "record kept across a restart"
stop_issuer
# A wrong passphrase cannot open the stored key.
CIVID_PASSPHRASE=wrong "$issuer" serve --listen 127.0.0.1:0 --data "$tmp/data" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "wrong passphrase"
contains "$tmp/err" "CK_ERR_PASSPHRASE" "wrong passphrase error name"

# A P-256 issuer for di-ecdsa-jcs, status lists as Data Integrity.
start_issuer --listen 127.0.0.1:0 --data "$tmp/data-p256" --token-file "$tmp/token" --key-type p256 \
  --config <(echo '{"statusFormat": "di-ecdsa-jcs"}')
issue_req "$tmp/req.json" di-ecdsa-jcs true
http POST "$base/credentials/issue" "$tmp/req.json"
expect_code 201 "issue di-ecdsa-jcs"
extract "$tmp/ecdsa.cred"
http GET "$base/status/1"
expect_code 200 "DI status list"
contains "$tmp/headers" "Content-Type: application/vc" "DI status list media type"
cp "$tmp/body" "$tmp/list-ecdsa"
"$verifier" check --status-list "$tmp/list-ecdsa" "$tmp/ecdsa.cred" > "$tmp/check.json"; st=$?
[ "$st" -eq 0 ] && ok || { bad "check di-ecdsa-jcs: exit $st"; cat "$tmp/check.json" >&2; }
contains "$tmp/check.json" '"format": "di-ecdsa-jcs-2019"' "di-ecdsa-jcs format"
stop_issuer

# did:web: the issuer serves its own document; the verifier resolves it over loopback http.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
web="did:web:localhost%3A$port"
"$issuer" keygen --type ed25519 --out "$tmp/web.key" --kdf min >/dev/null || bad "keygen for --key"
start_issuer --listen "127.0.0.1:$port" --data "$tmp/data-web" --token-file "$tmp/token" --did "$web" \
  --key "$tmp/web.key"
http GET "$base/.well-known/did.json"
expect_code 200 "did:web document"
contains "$tmp/headers" "Content-Type: application/did+json" "did:web media type"
contains "$tmp/body" "\"id\":\"$web\"" "did:web document id"
contains "$tmp/body" "\"id\":\"$web#key-1\"" "did:web verification method"
webmb=$("$issuer" did --key "$tmp/web.key"); webmb=${webmb#did:key:}
contains "$tmp/body" "$webmb" "imported key published"
http GET "$base/some/path/did.json"
problem 404 CH_ERR_HTTP_NOT_FOUND "did.json at another path"
issue_req "$tmp/req.json" di-eddsa-jcs
http POST "$base/credentials/issue" "$tmp/req.json"
expect_code 201 "issue as did:web"
extract "$tmp/web1.cred"
contains "$tmp/web1.cred" "\"issuer\": \"$web\"" "did:web issuer"
start_verifier --listen 127.0.0.1:0 --data "$tmp/vdata" --config "$tmp/vcfg.json"
vreq "$tmp/web1.cred" "$tmp/vreq.json"
http POST "$vbase/credentials/verify" "$tmp/vreq.json"
contains "$tmp/body" '"verified":true' "did:web credential verifies through did:web resolution"
stop_verifier
stop_issuer
# Rotation: a new current key; the old one stays published, so old credentials still verify.
start_issuer --listen "127.0.0.1:$port" --data "$tmp/data-web" --did "$web" --rotate-key
http GET "$base/.well-known/did.json"
contains "$tmp/body" "\"id\":\"$web#key-2\"" "rotated key published"
contains "$tmp/body" "\"id\":\"$web#key-1\"" "old key still published"
http POST "$base/credentials/issue" "$tmp/req.json"
expect_code 201 "issue after rotation"
extract "$tmp/web2.cred"
contains "$tmp/web2.cred" "#key-2" "signed with the new key"
start_verifier --listen 127.0.0.1:0 --data "$tmp/vdata" --config "$tmp/vcfg.json"
for n in 1 2; do
  vreq "$tmp/web$n.cred" "$tmp/vreq.json"
  http POST "$vbase/credentials/verify" "$tmp/vreq.json"
  contains "$tmp/body" '"verified":true' "did:web credential $n after rotation"
done
stop_verifier
stop_issuer

echo "cli_issuer_serve: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
