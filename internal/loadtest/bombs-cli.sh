#!/bin/bash
# bombs-cli.sh KEXI_BINARY FILES_DIR [EXTRA FLAGS]: times kexi import of each bomb in FILES_DIR
# (made by the bombs command there, see README.md) into a fresh database
# and prints elapsed seconds, peak RSS and the exit status.
BIN=$1 B=$2; shift 2; db=$(mktemp -d)/m.db
for f in cell.csv.gz lines.csv.gz cell.xlsx rows.csv.gz; do
  rm -f "$db"*
  echo "== $f"
  /usr/bin/time -f '%e s, peak RSS %M KB' $BIN import --db "$db" "$@" $B/$f 2>&1 | cut -c1-220
  echo "exit ${PIPESTATUS[0]}"
done
