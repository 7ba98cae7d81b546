#!/bin/bash
# golden.sh KEXI_BINARY OUTDIR SOURCE...: the JSON of every analysis (kexi analyze NAME --format json
# SOURCE...), its stderr and exit code, one file each in OUTDIR. Run it with the binaries before and
# after a change that must change no number, then compare: diff -r OLD NEW (issue #15).
#   internal/loadtest/golden.sh /tmp/old /tmp/g/old --orders ../shared/data/online-retail/online_retail.csv.gz
BIN=$1 OUT=$2; shift 2
mkdir -p "$OUT"; : >"$OUT/rc"  # a second run into OUT starts the list again
for a in $("$BIN" analyze --list 2>/dev/null | awk '/^[a-z_]+ +A[0-9]/{print $1}'); do
  "$BIN" analyze "$a" --format json "$@" >"$OUT/$a.json" 2>"$OUT/$a.err"
  echo "$a $?" >>"$OUT/rc"
done
