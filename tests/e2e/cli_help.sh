#!/usr/bin/env bash
# Every binary shares one command-line convention: --help prints "usage: NAME ..." on stdout and exits 0;
# an unknown flag prints "NAME: error: ..." on stderr and exits 2. Run under the test build's sanitizers,
# this also catches a binary that leaks on the way out of --help.
# Usage: cli_help.sh BINARY...
set -uo pipefail
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failed=0
for bin in "$@"; do
  name=$(basename "$bin")
  timeout 30 "$bin" --help >"$out" 2>"$err"
  status=$?
  if ((status != 0)) || [[ $(head -1 "$out") != "usage: $name "* ]]; then
    echo "cli_help: $name --help: exit $status, first line '$(head -1 "$out")'" >&2
    head -5 "$err" >&2
    failed=1
  fi
  timeout 30 "$bin" --no-such-flag >"$out" 2>"$err"
  status=$?
  if ((status != 2)) || [[ $(head -1 "$err") != "$name: error: "* ]]; then
    echo "cli_help: $name --no-such-flag: exit $status, first line '$(head -1 "$err")'" >&2
    head -5 "$err" >&2
    failed=1
  fi
done
((failed)) || echo "cli_help: $# binaries: --help and usage errors as the convention says"
exit "$failed"
