#!/usr/bin/env bash
# The civid services walk-through: civid-issuer serve and civid-verifier serve on 127.0.0.1 with
# their LMDB data in $CIVID_DATA; a credential issued over HTTP, held in a citizen's wallet,
# presented for a challenge from the verifier and verified over HTTP; then revoked by the
# issuer, and the next presentation refused. Uses the sealed keys and passphrase that
# scripts/walkthrough.sh left in $CIVID_DATA.
set -euo pipefail
bin=${CIVID_BIN:-build/release}
issuer="$bin/issuer/civid-issuer"
verifier="$bin/verifier/civid-verifier"
wallet="$bin/wallet/civid-wallet"
data=${CIVID_DATA:-civid-data}
pass="$data/passphrase"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# start NAME OUT PROGRAM ARGS...: runs a service and waits for the address on its first line.
start() {
  local name=$1 out=$2; shift 2
  "$@" >"$out" 2>"$out.err" &
  pids+=($!)
  for _ in $(seq 100); do
    [ -s "$out" ] && break
    sleep 0.1
  done
  if [ ! -s "$out" ]; then
    echo "walk-through: $name did not start:" >&2
    cat "$out.err" >&2
    exit 1
  fi
  head -n 1 "$out"
}
post() { # URL BODY-FILE [TOKEN]
  local args=(-sS --fail-with-body --max-time 30 -H 'Content-Type: application/json')
  [ -n "${3:-}" ] && args+=(-H "Authorization: Bearer $3")
  curl "${args[@]}" --data-binary "@$2" "$1"
}

token_file="$data/issuer-token"
if [ ! -s "$token_file" ]; then
  (umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' > "$token_file")
fi
token=$(cat "$token_file")

step "Starting civid-issuer serve (keys sealed in $data/issuer) and civid-verifier serve"
addr=$(start issuer "$data/issuer.out" "$issuer" serve --listen 127.0.0.1:0 --data "$data/issuer" \
  --passphrase-file "$pass" --token-file "$token_file" --kdf interactive \
  --access-log "$data/issuer-access.log")
ibase="http://$addr"
# The verifier fetches status lists from the issuer over loopback http, and (for this demo)
# never reuses a fetched list, so that the revocation below is seen at once.
cat > "$data/verifier.json" <<JSON
{"statusLists": true, "allowHttpLoopback": true, "fetchCacheMaxTtl": 0}
JSON
vaddr=$(start verifier "$data/verifier.out" "$verifier" serve --listen 127.0.0.1:0 \
  --data "$data/verifier" --config "$data/verifier.json" --access-log "$data/verifier-access.log")
vbase="http://$vaddr"
echo "issuer:   $ibase"
echo "verifier: $vbase"
curl -sS "$ibase/health"; echo
curl -sS "$vbase/health"; echo

step "A citizen's wallet with a holder key"
export CIVID_WALLET_PASSPHRASE
CIVID_WALLET_PASSPHRASE=$(cat "$pass")
wdir="$data/wallet"
[ -d "$wdir" ] || "$wallet" create --wallet "$wdir" --kdf interactive
holder=$("$wallet" keys new --type ed25519 --label "walk-through" --wallet "$wdir" | cut -f2)
echo "holder: $holder"

step "Issuing a credential over HTTP (POST /credentials/issue, Data Integrity, with status)"
cat > "$data/issue-request.json" <<JSON
{"credential": {"@context": ["https://www.w3.org/ns/credentials/v2",
                             "https://www.w3.org/ns/credentials/examples/v2"],
  "id": "urn:uuid:$(cat /proc/sys/kernel/random/uuid)",
  "type": ["VerifiableCredential", "ExampleAlumniCredential"],
  "validFrom": "2024-01-01T00:00:00Z",
  "credentialSubject": {"id": "$holder", "alumniOf": "The School of Examples"}},
 "options": {"format": "di-eddsa-jcs", "status": true}}
JSON
post "$ibase/credentials/issue" "$data/issue-request.json" "$token" > "$data/issued.json"
python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["verifiableCredential"], open(sys.argv[2],"w"), indent=2)' \
  "$data/issued.json" "$data/held-vc.json"
cred_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$data/held-vc.json")
grep -E '"(issuer|statusListCredential|statusListIndex)"' "$data/held-vc.json"

step "The wallet verifies the credential and keeps it"
wcred=$("$wallet" import "$data/held-vc.json" --wallet "$wdir")
"$wallet" list --wallet "$wdir"

# present_and_verify: a challenge from the verifier, a presentation from the wallet, and the
# verifier's answer in $data/verify-result.json.
present_and_verify() {
  local challenge
  challenge=$(curl -sS -X POST "$vbase/challenges" | python3 -c 'import json,sys; print(json.load(sys.stdin)["challenge"])')
  "$wallet" present "$wcred" --challenge "$challenge" --domain "$vbase" --format di \
    --out "$data/presentation.json" --wallet "$wdir" >/dev/null
  python3 - "$data/presentation.json" "$challenge" "$vbase" > "$data/verify-request.json" <<'PY'
import json, sys
print(json.dumps({"verifiablePresentation": json.load(open(sys.argv[1])),
                  "options": {"challenge": sys.argv[2], "domain": sys.argv[3]}}))
PY
  curl -sS --max-time 30 -H 'Content-Type: application/json' \
    --data-binary "@$data/verify-request.json" "$vbase/presentations/verify" > "$data/verify-result.json"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("verified:", r["verified"]); [print(" error:", e.get("name"), "-", e.get("detail")) for e in r["errors"]]' \
    "$data/verify-result.json"
}

step "Presenting it for a challenge (POST /challenges) and verifying over HTTP (POST /presentations/verify)"
present_and_verify
grep -q '"verified": *true' "$data/verify-result.json" || { echo "walk-through: not verified" >&2; exit 1; }
"$wallet" history --wallet "$wdir" | tail -n 1

step "The wallet receives an SD-JWT VC from the issuer and discloses only the given name"
cat > "$data/sd-request.json" <<'JSON'
{"credential": {"vct": "https://credentials.example.com/identity_credential",
  "given_name": "Erika", "family_name": "Mustermann", "birthdate": "1963-08-12"},
 "options": {"format": "sd-jwt", "sd": ["/given_name", "/family_name", "/birthdate"]}}
JSON
sdcred=$(CIVID_ISSUER_TOKEN="$token" "$wallet" receive --from "$ibase" --request "$data/sd-request.json" \
  --allow-http-loopback --wallet "$wdir")
echo "received $sdcred"
# present --to exits 0 only when the verifier answered verified: true.
"$wallet" present "$sdcred" --to "$vbase" --disclose /given_name --out "$data/sd-presentation.txt" \
  --allow-http-loopback --wallet "$wdir"
"$wallet" history --wallet "$wdir" | tail -n 1

step "The issuer revokes the credential (POST /credentials/status)"
printf '{"credentialId": "%s", "action": "revoke"}\n' "$cred_id" > "$data/revoke.json"
post "$ibase/credentials/status" "$data/revoke.json" "$token"; echo

step "Presenting it again: the verifier fetches the status list and refuses it"
present_and_verify
if ! grep -q 'DID_ERR_STATUS_REVOKED' "$data/verify-result.json"; then
  echo "walk-through: the revoked credential was not refused" >&2
  exit 1
fi

step "Stopping the services (SIGTERM: in-flight requests finish, LMDB closed)"
cleanup
pids=()
step "Done. Data is in $data/ (issuer, verifier and wallet LMDB environments, logs)."
