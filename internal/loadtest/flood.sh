#!/bin/bash
# flood.sh KEXI_BINARY DB [flood flags...]: serves DB with KEXI_BINARY on 127.0.0.1:8099 under
# /usr/bin/time, runs the sign-in flood against it (go run ./internal/loadtest/flood), then
# stops the server and prints its elapsed time and peak RSS. DB needs an admin whose password
# is flood-admin-pass-1. Run from the repository root.
set -e
bin=$1 db=$2; shift 2
w=$(mktemp -d)
/usr/bin/time -f 'serve: %e s, peak RSS %M KB' -o "$w/time.out" "$bin" serve --db "$db" --addr 127.0.0.1:8099 >"$w/serve.out" 2>"$w/serve.err" &
tpid=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:8099/healthz >/dev/null && break; sleep 0.1; done
spid=$(pgrep -P $tpid)
go run ./internal/loadtest/flood -url http://127.0.0.1:8099 -pid "$spid" -login admin -password flood-admin-pass-1 "$@"
kill -INT "$spid"; wait $tpid || true
cat "$w/time.out"
rm -rf "$w"
