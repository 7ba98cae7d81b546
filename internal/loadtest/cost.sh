#!/bin/bash
# cost.sh KEXI_BINARY DIR N...: the README's cost table. For each N (customers), makes the demo
# (--seed 7) in DIR unless there, then times as a user runs them: analyze rfm, all 19 analyses in
# one call, and the first dashboard of kexi serve (serve-first.sh). Whole-process figures from
# /usr/bin/time: wall seconds, user+system CPU seconds, peak RSS.
BIN=$(realpath $1) DIR=$2; shift 2; mkdir -p $DIR
# Every analysis but portrait, which describes one customer (--option customer=ID).
ALL="rfm pyramid tier_migration lifecycle behaviour loyalty value clv churn attrition attributes segments satisfaction acquisition funnel campaigns basket competitors quality"
here=$(dirname $(realpath $0))
for n in "$@"; do
  db=$DIR/demo$n.db
  [ -f $db ] || $BIN demo --customers $n --seed 7 --no-serve --db $db >/dev/null
  echo "== $n customers ($(sqlite3 $db 'select count(*) from orders') orders)"
  for i in 1 2; do /usr/bin/time -f "analyze rfm: %e s, %U+%S s cpu, %M KB" $BIN analyze rfm --db $db --format json >/dev/null; done
  /usr/bin/time -f "analyze (all 19): %e s, %U+%S s cpu, %M KB" $BIN analyze $ALL --db $db --format json >/dev/null
  $here/serve-first.sh $BIN $db
done
