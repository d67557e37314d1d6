#!/usr/bin/env bash
# civid-verifier log: a real log directory (LMDB store, sealed checkpoint key), real entries,
# checkpoints and tlog-proofs, verified offline; every tampering is refused with its stable
# error name. Every check asserts an exit status and, for failures, the error name.
set -u
verifier=${CIVID_VERIFIER:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
unset CIVID_PASSPHRASE

ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
# expect STATUS DESCRIPTION -- command...   (stdout -> $tmp/out, stderr -> $tmp/err)
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else
    bad "$what: exit $got, expected $want"; sed 's/^/  stdout: /' "$tmp/out" >&2
    sed 's/^/  stderr: /' "$tmp/err" >&2; fi
}
contains() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; sed 's/^/  /' "$1" >&2; fi
}
# verify_fails STATUS ERROR_NAME DESCRIPTION -- verify args...: exit status and error name in the
# JSON result, "verified": false.
verify_fails() {
  local want=$1 name=$2 what=$3; shift 4
  expect "$want" "$what" -- "$verifier" log verify "$@"
  contains "$tmp/out" '"verified": false' "$what"
  contains "$tmp/out" "\"name\": \"$name\"" "$what"
}
# Replaces the first character of line LINE of FILE with another base64 character (the result
# stays canonical base64 when the line is a 32-byte hash: the last character is untouched).
tamper_line() { # FILE LINE
  awk -v n="$2" 'NR == n { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) } { print }' \
    "$1" > "$1.t" && mv "$1.t" "$1"
}
# Flips the lowest bit of byte OFFSET of FILE.
flip_byte() { # FILE OFFSET
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
json_field() { # FILE FIELD -> the value of a top-level number or string field
  sed -n "s/^  \"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1" | head -n 1
}

echo "correct horse battery staple" > "$tmp/pass"
echo "wrong passphrase" > "$tmp/wrong"
log="$tmp/log"
svc="did:web:issuer.example"
thumb=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8

# --help everywhere, usage errors exit 2.
expect 0 "log --help" -- "$verifier" log --help
contains "$tmp/out" "usage: civid-verifier log" "log --help"
expect 2 "log without command" -- "$verifier" log
expect 2 "log unknown command" -- "$verifier" log frobnicate
for c in verify init append entry-issuance show checkpoint proof entry; do
  expect 0 "log $c --help" -- "$verifier" log "$c" --help
  contains "$tmp/out" "usage: civid-verifier log $c" "log $c --help"
done
expect 2 "init without --data" -- "$verifier" log init --origin example.org/log
expect 2 "init without --origin" -- "$verifier" log init --data "$log"
expect 2 "init without passphrase" -- "$verifier" log init --data "$log" --origin example.org/log
expect 2 "init bad kdf" -- "$verifier" log init --data "$log" --origin example.org/log --kdf none
expect 2 "proof bad index" -- "$verifier" log proof --data "$log" -1
expect 2 "verify without --key" -- "$verifier" log verify --proof x --entry y
expect 2 "verify with --key and --key-file" -- "$verifier" log verify --key a --key-file b \
  --proof x --entry y

# init: a key file with mode 0600 and the verifier key on stdout.
expect 0 "init" -- "$verifier" log init --data "$log" --origin example.org/log \
  --passphrase-file "$tmp/pass" --kdf min
vkey=$(cat "$tmp/out")
case "$vkey" in example.org/log+[0-9a-f]*+*) ok ;; *) bad "init printed '$vkey'" ;; esac
printf '%s\n' "$vkey" > "$tmp/vkey"
mode=$(stat -c %a "$log/checkpoint.key")
[ "$mode" = 600 ] && ok || bad "checkpoint.key has mode $mode"
expect 1 "init twice" -- "$verifier" log init --data "$log" --origin example.org/log \
  --passphrase-file "$tmp/pass" --kdf min
contains "$tmp/err" "DID_ERR_LOG_KEY" "init twice"
expect 0 "show empty" -- "$verifier" log show --data "$log"
contains "$tmp/out" '"size": 0' "show empty"
contains "$tmp/out" "\"verifierKey\": \"$vkey\"" "show empty"
expect 1 "show on a directory without a log" -- "$verifier" log show --data "$tmp/none"

# Append five issuance entries.
n=5
for i in $(seq 0 $((n - 1))); do
  expect 0 "entry-issuance $i" -- "$verifier" log entry-issuance --service "$svc" --request "req-$i" \
    --credential-id "urn:uuid:cred-$i" --credential-type VerifiableCredential \
    --issuer-key-thumbprint "$thumb" --status-list https://issuer.example/status/1 \
    --status-index "$i" --out "$tmp/e$i"
  expect 0 "append $i" -- "$verifier" log append --data "$log" --service "$svc" \
    --request "req-$i" "$tmp/e$i"
  got=$(json_field "$tmp/out" index)
  [ "$got" = "$i" ] && ok || bad "append $i got index '$got'"
  contains "$tmp/out" '"duplicate": false' "append $i"
done
expect 0 "append again (idempotent)" -- "$verifier" log append --data "$log" --service "$svc" \
  --request req-2 "$tmp/e2"
[ "$(json_field "$tmp/out" index)" = 2 ] && ok || bad "duplicate append index"
contains "$tmp/out" '"duplicate": true' "append again"
expect 0 "append from stdin (duplicate)" -- sh -c \
  "\"$verifier\" log append --data \"$log\" --service \"$svc\" --request req-0 - < \"$tmp/e0\""
expect 2 "entry-issuance bad thumbprint" -- "$verifier" log entry-issuance --service "$svc" \
  --request r --credential-id c --credential-type T --issuer-key-thumbprint nope --out "$tmp/x"
printf 'not a log entry' > "$tmp/garbage"
expect 2 "append garbage" -- "$verifier" log append --data "$log" --service "$svc" --request g \
  "$tmp/garbage"
contains "$tmp/err" "DID_ERR_LOG_ENTRY" "append garbage"
expect 2 "append with another request id" -- "$verifier" log append --data "$log" \
  --service "$svc" --request other "$tmp/e1"

# No checkpoint covers the entries yet; then one is signed; reading it again needs no key.
expect 1 "proof before checkpoint" -- "$verifier" log proof --data "$log" 0
contains "$tmp/err" "DID_ERR_LOG_SIZE" "proof before checkpoint"
expect 1 "checkpoint without passphrase" -- "$verifier" log checkpoint --data "$log"
expect 1 "checkpoint wrong passphrase" -- "$verifier" log checkpoint --data "$log" \
  --passphrase-file "$tmp/wrong"
contains "$tmp/err" "CK_ERR_PASSPHRASE" "checkpoint wrong passphrase"
expect 0 "checkpoint" -- "$verifier" log checkpoint --data "$log" --passphrase-file "$tmp/pass"
cp "$tmp/out" "$tmp/cp"
[ "$(sed -n 2p "$tmp/cp")" = "$n" ] && ok || bad "checkpoint size is not $n"
expect 0 "checkpoint again, no key needed" -- "$verifier" log checkpoint --data "$log"
cmp -s "$tmp/out" "$tmp/cp" && ok || bad "checkpoint changed without appends"
expect 0 "show" -- "$verifier" log show --data "$log"
contains "$tmp/out" "\"size\": $n" "show"
contains "$tmp/out" '"origin": "example.org/log"' "show"

# Proofs verify offline, with and without --checkpoint; entries read back byte for byte.
for i in $(seq 0 $((n - 1))); do
  expect 0 "proof $i" -- "$verifier" log proof --data "$log" "$i"
  cp "$tmp/out" "$tmp/p$i"
  expect 0 "verify $i" -- "$verifier" log verify --key-file "$tmp/vkey" --proof "$tmp/p$i" \
    --entry "$tmp/e$i"
  contains "$tmp/out" '"verified": true' "verify $i"
  [ "$(json_field "$tmp/out" index)" = "$i" ] && ok || bad "verify $i index"
  [ "$(json_field "$tmp/out" size)" = "$n" ] && ok || bad "verify $i size"
  expect 0 "entry $i" -- "$verifier" log entry --data "$log" --out "$tmp/r$i" "$i"
  cmp -s "$tmp/r$i" "$tmp/e$i" && ok || bad "entry $i differs from what was appended"
done
expect 0 "verify with --key and --checkpoint" -- "$verifier" log verify --key "$vkey" \
  --proof "$tmp/p3" --entry "$tmp/e3" --checkpoint "$tmp/cp" --origin example.org/log
contains "$tmp/out" '"verified": true' "verify with --checkpoint"
expect 1 "proof out of range" -- "$verifier" log proof --data "$log" "$n"
contains "$tmp/err" "DID_ERR_LOG_SIZE" "proof out of range"

# Tampering: a byte of the entry, a hash of the proof, the index, the checkpoint in the proof,
# the separate checkpoint; another entry; a later checkpoint than the proof's.
cp "$tmp/e1" "$tmp/bad"; flip_byte "$tmp/bad" 40
verify_fails 1 DID_ERR_LOG_PROOF "changed entry byte" -- --key-file "$tmp/vkey" \
  --proof "$tmp/p1" --entry "$tmp/bad"
verify_fails 1 DID_ERR_LOG_PROOF "another entry" -- --key-file "$tmp/vkey" --proof "$tmp/p1" \
  --entry "$tmp/e2"
cp "$tmp/p1" "$tmp/badp"; tamper_line "$tmp/badp" 3
verify_fails 1 DID_ERR_LOG_PROOF "changed proof hash" -- --key-file "$tmp/vkey" \
  --proof "$tmp/badp" --entry "$tmp/e1"
sed '2s/^index 1$/index 2/' "$tmp/p1" > "$tmp/badp"
verify_fails 1 DID_ERR_LOG_PROOF "changed proof index" -- --key-file "$tmp/vkey" \
  --proof "$tmp/badp" --entry "$tmp/e1"
root_line=$(grep -n "^$(sed -n 3p "$tmp/cp")\$" "$tmp/p1" | cut -d: -f1)
cp "$tmp/p1" "$tmp/badp"; tamper_line "$tmp/badp" "$root_line"
verify_fails 1 DID_ERR_LOG_NOTE_SIG "changed root in the proof's checkpoint" -- \
  --key-file "$tmp/vkey" --proof "$tmp/badp" --entry "$tmp/e1"
cp "$tmp/cp" "$tmp/badcp"; tamper_line "$tmp/badcp" 3
verify_fails 1 DID_ERR_LOG_NOTE_SIG "changed --checkpoint" -- --key-file "$tmp/vkey" \
  --proof "$tmp/p1" --entry "$tmp/e1" --checkpoint "$tmp/badcp"

# A later checkpoint is valid but not the proof's.
expect 0 "entry-issuance 5" -- "$verifier" log entry-issuance --service "$svc" --request req-5 \
  --credential-id urn:uuid:cred-5 --credential-type VerifiableCredential \
  --issuer-key-thumbprint "$thumb" --out "$tmp/e5"
expect 0 "append 5" -- "$verifier" log append --data "$log" --service "$svc" --request req-5 \
  "$tmp/e5"
expect 0 "checkpoint 6" -- "$verifier" log checkpoint --data "$log" --passphrase-file "$tmp/pass"
cp "$tmp/out" "$tmp/cp6"
verify_fails 1 DID_ERR_LOG_CHECKPOINT "--checkpoint is not the proof's" -- \
  --key-file "$tmp/vkey" --proof "$tmp/p1" --entry "$tmp/e1" --checkpoint "$tmp/cp6"
contains "$tmp/out" "not the checkpoint the proof carries" "--checkpoint is not the proof's"
expect 0 "proof 1 at size 6" -- "$verifier" log proof --data "$log" 1
cp "$tmp/out" "$tmp/p1b"
expect 0 "verify 1 at size 6" -- "$verifier" log verify --key-file "$tmp/vkey" \
  --proof "$tmp/p1b" --entry "$tmp/e1" --checkpoint "$tmp/cp6"
contains "$tmp/out" '"size": 6' "verify 1 at size 6"

# Wrong key, wrong origin.
expect 0 "init another log" -- "$verifier" log init --data "$tmp/other" \
  --origin other.example/log --passphrase-file "$tmp/pass" --kdf min
other=$(cat "$tmp/out")
verify_fails 1 DID_ERR_LOG_KEY "another log's key" -- --key "$other" --proof "$tmp/p1" \
  --entry "$tmp/e1"
verify_fails 1 DID_ERR_LOG_ORIGIN "wrong origin" -- --key "$vkey" --proof "$tmp/p1" \
  --entry "$tmp/e1" --origin other.example/log

# Garbage: unusable input, exit 2.
verify_fails 2 DID_ERR_LOG_PROOF_FORMAT "garbage proof" -- --key "$vkey" --proof "$tmp/garbage" \
  --entry "$tmp/e1"
expect 2 "garbage key" -- "$verifier" log verify --key "not a key" --proof "$tmp/p1" \
  --entry "$tmp/e1"
contains "$tmp/err" "DID_ERR_LOG_KEY" "garbage key"
expect 2 "missing proof file" -- "$verifier" log verify --key "$vkey" --proof "$tmp/nope" \
  --entry "$tmp/e1"
contains "$tmp/err" "DID_ERR_IO" "missing proof file"
verify_fails 2 DID_ERR_LOG_NOTE "garbage --checkpoint" -- --key "$vkey" --proof "$tmp/p1" \
  --entry "$tmp/e1" --checkpoint "$tmp/garbage"

# civid-verifier serve --log DIR: the checkpoint and proofs over HTTP, read-only.
if command -v curl >/dev/null 2>&1; then
  "$verifier" serve --listen 127.0.0.1:0 --data "$tmp/vdata" --log "$log" --access-log off \
    >"$tmp/serve.out" 2>"$tmp/serve.err" &
  pid=$!
  base=
  for _ in $(seq 1 100); do
    if [ -s "$tmp/serve.out" ]; then base=http://$(head -n 1 "$tmp/serve.out"); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$base" ]; then
    bad "serve --log did not start"; sed 's/^/  /' "$tmp/serve.err" >&2
  else
    get() { # PATH -> status code; body in $tmp/body, headers in $tmp/headers
      curl -s --max-time 30 -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' "$base$1"
    }
    [ "$(get /log/checkpoint)" = 200 ] && ok || bad "GET /log/checkpoint"
    cmp -s "$tmp/body" "$tmp/cp6" && ok || bad "GET /log/checkpoint is not the latest checkpoint"
    contains "$tmp/headers" "text/plain" "GET /log/checkpoint content type"
    [ "$(get /log/proof/4)" = 200 ] && ok || bad "GET /log/proof/4"
    cp "$tmp/body" "$tmp/http-p4"
    expect 0 "verify a proof served over HTTP" -- "$verifier" log verify --key-file "$tmp/vkey" \
      --proof "$tmp/http-p4" --entry "$tmp/e4" --checkpoint "$tmp/cp6"
    contains "$tmp/out" '"verified": true' "verify a proof served over HTTP"
    [ "$(get /log/proof/6)" = 404 ] && ok || bad "GET /log/proof/6 (not covered)"
    contains "$tmp/body" "DID_ERR_LOG_SIZE" "GET /log/proof/6"
    for p in abc 01 -1 99999999999999999999; do
      [ "$(get /log/proof/$p)" = 400 ] && ok || bad "GET /log/proof/$p"
    done
    [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/log/checkpoint")" = 405 ] && ok ||
      bad "POST /log/checkpoint is not refused with 405"
    expect 1 "log show while served" -- "$verifier" log show --data "$log"
    contains "$tmp/err" "DID_ERR_LOG_LOCKED" "log show while served"
  fi
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"; st=$?
  [ "$st" -eq 0 ] && ok || bad "serve --log exited $st after SIGTERM"
  expect 0 "log show after serve" -- "$verifier" log show --data "$log"
  contains "$tmp/out" '"size": 6' "log show after serve"
else
  echo "curl not found: serve --log not tested" >&2
fi
expect 1 "serve --log on a directory without a log" -- "$verifier" serve --listen 127.0.0.1:0 \
  --data "$tmp/vdata2" --log "$tmp/nolog" --access-log off

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
