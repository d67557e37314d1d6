#!/usr/bin/env bash
# Command-line tests of civid-wallet with the real civid-issuer and civid-verifier: issue ->
# import -> present (with selective disclosure) -> civid-verifier check --challenge --domain;
# every presentation format; the consent log; delete; backup and restore; wrong passphrases,
# unverifiable credentials, damaged backups. Every check asserts an exit status and, for
# failures, the stable error name.
set -u
issuer=${CIVID_ISSUER:?}
verifier=${CIVID_VERIFIER:?}
wallet=${CIVID_WALLET:?}
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
lacks() { # FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' in output"; else ok; fi
}
export CIVID_PASSPHRASE="issuer passphrase"
export CIVID_WALLET_PASSPHRASE="wallet passphrase"
unset CIVID_BACKUP_PASSPHRASE CIVID_WALLET_NEW_PASSPHRASE
W="$tmp/wallet"
w() { "$wallet" "$@" --wallet "$W"; }  # options may follow the arguments (getopt_long)
challenge=n-0S6_WzA2Mj
domain=https://verifier.example

# --help everywhere.
expect 0 "--help" -- "$wallet" --help
for cmd in create info passphrase keys import list show delete present history export import-backup; do
  expect 0 "$cmd --help" -- "$wallet" "$cmd" --help
  contains "$tmp/out" "usage: civid-wallet $cmd" "$cmd --help text"
done
expect 0 "keys new --help" -- "$wallet" keys new --help
expect 2 "unknown command" -- "$wallet" frobnicate
expect 2 "present without --challenge" -- w present cred-0000000000000000 --domain "$domain" --out -
expect 2 "option of another command" -- w list --challenge x

# A wallet, a holder key, an issuer key.
expect 1 "no wallet yet" -- w list
contains "$tmp/err" "WALLET_ERR_NO_WALLET" "no wallet code"
expect 0 "create" -- w create --kdf min
[ "$(stat -c %a "$W")" = 700 ] && ok || bad "wallet directory is not 0700"
expect 1 "create twice" -- w create --kdf min
contains "$tmp/err" "WALLET_ERR_EXISTS" "exists code"
expect 0 "keys new" -- w keys new --type ed25519 --label mine
holder_key=$(cut -f1 "$tmp/out"); holder=$(cut -f2 "$tmp/out")
case "$holder" in did:key:z6Mk*) ok ;; *) bad "keys new printed '$holder'" ;; esac
expect 0 "keys new jwk" -- w keys new --type p256 --method jwk
expect 0 "keys list" -- w keys list
contains "$tmp/out" "$holder" "keys list shows the DID"
contains "$tmp/out" "mine" "keys list shows the label"
contains "$tmp/out" "did:jwk:" "keys list shows the did:jwk"
expect 2 "keys new x25519" -- w keys new --type x25519
expect 1 "wrong passphrase" -- env CIVID_WALLET_PASSPHRASE=wrong "$wallet" keys list --wallet "$W"
contains "$tmp/err" "WALLET_ERR_PASSPHRASE" "wrong passphrase code"
lacks "$tmp/err" "wrong passphrase)" "no passphrase echoed"
"$issuer" keygen --type ed25519 --out "$tmp/issuer.key" --kdf min >/dev/null || bad "issuer keygen"
"$issuer" keygen --type p256 --out "$tmp/issuer256.key" --kdf min >/dev/null || bad "issuer keygen p256"

# SD-JWT VC bound to the holder key: issue -> import -> present with --disclose -> check.
cat > "$tmp/claims.json" <<'JSON'
{"vct": "https://credentials.example.com/identity_credential", "given_name": "Erika",
 "family_name": "Mustermann", "birthdate": "1963-08-12",
 "address": {"street_address": "Heidestrasse 17", "locality": "Koeln"}}
JSON
expect 0 "issue sd-jwt" -- "$issuer" issue --key "$tmp/issuer.key" --format sd-jwt --sd /given_name \
  --sd /family_name --sd /birthdate --sd /address/street_address --holder "$holder" "$tmp/claims.json"
cp "$tmp/out" "$tmp/sd.txt"
expect 0 "import sd-jwt" -- w import "$tmp/sd.txt"
sd_id=$(cat "$tmp/out")
case "$sd_id" in cred-*) ok ;; *) bad "import printed '$sd_id'" ;; esac
expect 1 "import twice" -- w import "$tmp/sd.txt"
contains "$tmp/err" "WALLET_ERR_EXISTS" "duplicate code"
expect 0 "list" -- w list
contains "$tmp/out" "$sd_id" "list shows the id"
contains "$tmp/out" "format:     sd-jwt" "list shows the format"
contains "$tmp/out" "https://credentials.example.com/identity_credential" "list shows the type"
contains "$tmp/out" "holder key: $holder_key" "import noted the cnf key"
contains "$tmp/out" "status:     none" "no credentialStatus: none"
expect 0 "list --offline" -- w list --offline
contains "$tmp/out" "status:     not checked" "offline: status not checked"
expect 0 "show" -- w show "$sd_id"
contains "$tmp/out" '"family_name": "Mustermann"' "show has every claim"
contains "$tmp/out" '"disclosures"' "show lists the disclosures"

expect 0 "present sd-jwt disclosing given_name" -- w present "$sd_id" --challenge "$challenge" \
  --domain "$domain" --disclose /given_name --out "$tmp/p1.txt"
[ "$(stat -c %a "$tmp/p1.txt")" = 600 ] && ok || bad "presentation file is not 0600"
expect 0 "verifier checks p1" -- "$verifier" check --challenge "$challenge" --domain "$domain" "$tmp/p1.txt"
contains "$tmp/out" '"verified": true' "p1 verified"
contains "$tmp/out" '"keyBinding"' "p1 key binding checked"
contains "$tmp/out" '"given_name": "Erika"' "p1 discloses given_name"
lacks "$tmp/out" "Mustermann" "p1 hides family_name"
lacks "$tmp/out" "1963-08-12" "p1 hides birthdate"
lacks "$tmp/out" "Heidestrasse" "p1 hides street_address"
contains "$tmp/out" '"locality": "Koeln"' "p1 shows always-visible claims"
expect 1 "p1 for another verifier" -- "$verifier" check --challenge "$challenge" --domain https://evil.example "$tmp/p1.txt"
contains "$tmp/out" "DID_ERR_SDJWT_KB_AUD" "p1 audience code"
expect 1 "p1 replayed with another challenge" -- "$verifier" check --challenge other --domain "$domain" "$tmp/p1.txt"
contains "$tmp/out" "DID_ERR_SDJWT_KB_NONCE" "p1 nonce code"
# A second presentation without given_name does not show it.
expect 0 "present sd-jwt disclosing family_name" -- w present "$sd_id" --challenge c-2 \
  --domain "$domain" --disclose /family_name --out - 
cp "$tmp/out" "$tmp/p2.txt"
expect 0 "verifier checks p2" -- "$verifier" check --challenge c-2 --domain "$domain" "$tmp/p2.txt"
contains "$tmp/out" '"verified": true' "p2 verified"
contains "$tmp/out" '"family_name": "Mustermann"' "p2 discloses family_name"
lacks "$tmp/out" "given_name" "p2 hides given_name"
expect 1 "disclose a claim that does not exist" -- w present "$sd_id" --challenge c-3 --domain "$domain" \
  --disclose /no_such_claim --out "$tmp/p3.txt"
contains "$tmp/err" "DID_ERR_SDJWT_PATH" "unknown path code"
[ ! -e "$tmp/p3.txt" ] && ok || bad "a failed presentation wrote a file"

# Data Integrity and vc+jwt credentials, presented as DI VPs and vp+jwt.
cat > "$tmp/vc.json" <<'JSON'
{"@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
 "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
 "type": ["VerifiableCredential", "ExampleAlumniCredential"],
 "validFrom": "2023-01-01T00:00:00Z",
 "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}}
JSON
"$issuer" issue --key "$tmp/issuer.key" --format di-eddsa-jcs "$tmp/vc.json" > "$tmp/di.json" || bad "issue di"
"$issuer" issue --key "$tmp/issuer256.key" --format vc-jwt "$tmp/vc.json" > "$tmp/vc.jwt" || bad "issue vc-jwt"
expect 0 "import di" -- w import "$tmp/di.json"; di_id=$(cat "$tmp/out")
expect 0 "import vc-jwt from stdin" -- sh -c "'$wallet' import --wallet '$W' - < '$tmp/vc.jwt'"; jwt_id=$(cat "$tmp/out")
for combo in "$di_id:di" "$jwt_id:di" "$jwt_id:jose" "$di_id:" "$jwt_id:"; do
  id=${combo%%:*}; fmt=${combo##*:}
  expect 0 "present $id ${fmt:-default}" -- w present "$id" --challenge "ch-$fmt" --domain "$domain" \
    ${fmt:+--format "$fmt"} --out "$tmp/vp-$id-$fmt"
  expect 0 "verifier checks $id ${fmt:-default}" -- "$verifier" check --challenge "ch-$fmt" --domain "$domain" "$tmp/vp-$id-$fmt"
  contains "$tmp/out" '"verified": true' "vp $id ${fmt:-default} verified"
  contains "$tmp/out" '"holder"' "vp $id ${fmt:-default} holder checked"
  contains "$tmp/out" '"challenge"' "vp $id ${fmt:-default} challenge checked"
  expect 1 "vp $id ${fmt:-default} for another domain" -- "$verifier" check --challenge "ch-$fmt" --domain https://evil.example "$tmp/vp-$id-$fmt"
done
contains "$tmp/vp-$di_id-di" '"proofPurpose": "authentication"' "DI VP proof purpose"
contains "$tmp/vp-$jwt_id-di" "data:application/vc+jwt," "vc+jwt enveloped in the DI VP"
expect 1 "DI credential as vp+jwt" -- w present "$di_id" --challenge c --domain "$domain" --format jose --out -
contains "$tmp/err" "WALLET_ERR_PRESENT" "DI as jose code"
expect 1 "disclose on a DI credential" -- w present "$di_id" --challenge c --domain "$domain" --disclose /x --out -
contains "$tmp/err" "WALLET_ERR_PRESENT" "disclose DI code"
expect 0 "keys list after presenting" -- w keys list
contains "$tmp/out" "$domain" "a relationship key was made for the domain"

# A credential that does not verify is refused.
sed 's/The School of Examples/The School of Forgery/' "$tmp/di.json" > "$tmp/forged.json"
expect 1 "import forged" -- w import "$tmp/forged.json"
contains "$tmp/err" "WALLET_ERR_UNVERIFIED" "forged code"
contains "$tmp/err" "DID_ERR_DI_SIGNATURE" "forged cause"
expect 1 "import a presentation" -- w import "$tmp/p1.txt"
contains "$tmp/err" "DID_ERR_SDJWT_FORMAT" "presentation import code"

# The consent log.
expect 0 "history" -- w history
contains "$tmp/out" "to:         $domain" "history domain"
contains "$tmp/out" "challenge:  $challenge" "history challenge"
contains "$tmp/out" "disclosed:  /given_name" "history disclosed path"
contains "$tmp/out" "whole credential" "history whole credential"
contains "$tmp/out" "$sd_id" "history credential"
expect 0 "history --json" -- w history --json
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$tmp/out")
[ "$n" -eq 7 ] && ok || bad "history has $n entries, expected 7"

# Backup and restore (the backup passphrase defaults to the wallet's).
expect 0 "export" -- w export --out "$tmp/backup" --kdf min
[ "$(stat -c %a "$tmp/backup")" = 600 ] && ok || bad "backup file is not 0600"
lacks "$tmp/backup" "Erika" "backup is encrypted"
expect 1 "export over an existing file" -- w export --out "$tmp/backup" --kdf min
W2="$tmp/restored"
expect 0 "create target" -- "$wallet" create --wallet "$W2" --kdf min
head -c 300 "$tmp/backup" > "$tmp/backup.trunc"
expect 1 "truncated backup" -- "$wallet" import-backup --wallet "$W2" "$tmp/backup.trunc"
contains "$tmp/err" "WALLET_ERR_BACKUP" "truncated backup code"
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[len(d)//2]^=1; open(sys.argv[2],"wb").write(d)' \
  "$tmp/backup" "$tmp/backup.tampered"
expect 1 "tampered backup" -- "$wallet" import-backup --wallet "$W2" "$tmp/backup.tampered"
contains "$tmp/err" "WALLET_ERR_BACKUP_AUTH" "tampered backup code"
echo "not the passphrase" > "$tmp/bpass"
expect 1 "backup with the wrong passphrase" -- "$wallet" import-backup --wallet "$W2" --backup-passphrase-file "$tmp/bpass" "$tmp/backup"
contains "$tmp/err" "WALLET_ERR_BACKUP_AUTH" "wrong backup passphrase code"
expect 0 "info of the untouched target" -- "$wallet" info --wallet "$W2"
contains "$tmp/out" "credentials: 0" "nothing was restored from bad backups"
expect 0 "import-backup" -- "$wallet" import-backup --wallet "$W2" "$tmp/backup"
contains "$tmp/out" "restored 3 keys, 3 credentials, 7 consent log entries" "restored counts"
expect 1 "import-backup twice" -- "$wallet" import-backup --wallet "$W2" "$tmp/backup"
contains "$tmp/err" "WALLET_ERR_NOT_EMPTY" "not empty code"
expect 0 "present from the restored wallet" -- "$wallet" present "$sd_id" --wallet "$W2" --challenge c-r \
  --domain "$domain" --disclose /birthdate --out "$tmp/pr.txt"
expect 0 "verifier checks the restored wallet's presentation" -- "$verifier" check --challenge c-r --domain "$domain" "$tmp/pr.txt"
contains "$tmp/out" '"birthdate": "1963-08-12"' "restored presentation discloses birthdate"

# Passphrase change: the old one stops working, the records stay.
echo "a new wallet passphrase" > "$tmp/newpass"
expect 0 "passphrase" -- w passphrase --new-passphrase-file "$tmp/newpass" --kdf min
expect 1 "old passphrase" -- w list
contains "$tmp/err" "WALLET_ERR_PASSPHRASE" "old passphrase code"
export CIVID_WALLET_PASSPHRASE="a new wallet passphrase"
expect 0 "new passphrase" -- w list
contains "$tmp/out" "$sd_id" "records survive the passphrase change"

# Delete and clear.
expect 0 "delete" -- w delete "$sd_id"
expect 1 "delete again" -- w delete "$sd_id"
contains "$tmp/err" "WALLET_ERR_NOT_FOUND" "delete again code"
expect 0 "list after delete" -- w list
lacks "$tmp/out" "$sd_id" "deleted credential is gone"
expect 0 "history --clear" -- w history --clear
expect 0 "history after clear" -- w history
[ ! -s "$tmp/out" ] && ok || bad "history not empty after --clear"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
