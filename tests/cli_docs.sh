#!/usr/bin/env bash
# The docs tell the truth: every error code in a public header is documented in spec/errors.md
# with the same number, and every subcommand a program accepts is in the README and its --help.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
headers=$(find "$root/crypto/include" "$root/libdid/include" "$root/wallet/include" "$root/issuer/include" -name '*.h')
while read -r name num; do
  if grep -Eq "^\| $num \| \`$name\` \|" "$root/spec/errors.md"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); echo "FAIL: $name = $num is not documented in spec/errors.md" >&2
  fi
done < <(grep -hoE '^\s+(CK|DID|WALLET|ISSUER)_ERR_[A-Z0-9_]+ = [0-9]+' $headers | awk '{print $1, $3}')
[ "$passed" -gt 40 ] || { failed=$((failed + 1)); echo "FAIL: only $passed codes found" >&2; }
for cmd in keygen did sign issue status-list serve; do
  grep -q "civid-issuer $cmd" "$root/README.md" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: README does not mention civid-issuer $cmd" >&2; }
done
for cmd in resolve check; do
  grep -q "civid-verifier $cmd" "$root/README.md" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: README does not mention civid-verifier $cmd" >&2; }
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
