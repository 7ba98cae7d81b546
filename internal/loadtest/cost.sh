#!/bin/bash
# cost.sh KEXI_BINARY DIR N...: the README's cost table. For each N (customers), makes the demo
# (--seed 7) in DIR unless there, timed, then times as a user runs them: analyze rfm, all 19
# analyses in one call, and the first dashboard of kexi serve (serve-first.sh). Whole-process
# figures from /usr/bin/time: wall seconds, user+system CPU seconds, peak RSS.
#
# EACH=1 also times each of the 19 analyses on its own. From 1,000,000 customers on, cost.sh
# does that instead of the all-19 call and kexi serve: those hold every analysis's data at once
# (3.5 GB and 3 GB at 100k customers, growing with the data), more than a 24 GiB machine has.
# Each analysis on its own is watched: when its RSS passes CAP_KB (default 14 GiB) it is
# stopped and reported as exceeding the cap, so that it does not drive a shared machine into the
# OOM killer. (Not `ulimit -v`: the store maps the database once per connection, so the address
# space runs out long before memory does.)
BIN=$(realpath $1) DIR=$2; shift 2; mkdir -p $DIR
CAP_KB=${CAP_KB:-14680064}
# Every analysis but portrait, which describes one customer (--option customer=ID).
ALL="rfm pyramid tier_migration lifecycle behaviour loyalty value clv churn attrition attributes segments satisfaction acquisition funnel campaigns basket competitors quality"
here=$(dirname $(realpath $0))
for n in "$@"; do
  db=$DIR/demo$n.db
  [ -f $db ] || /usr/bin/time -f "kexi demo: %e s, %U+%S s cpu, %M KB" $BIN demo --customers $n --seed 7 --no-serve --db $db >/dev/null 2>$DIR/demo$n.err
  tail -n1 $DIR/demo$n.err 2>/dev/null
  echo "== $n customers ($(sqlite3 $db 'select count(*) from orders') orders, $(du -hL $db | cut -f1) on disk)"
  for i in 1 2; do /usr/bin/time -f "analyze rfm: %e s, %U+%S s cpu, %M KB" $BIN analyze rfm --db $db --format json >/dev/null; done
  if [ "${EACH:-0}" = 1 ] || [ $n -ge 1000000 ]; then
    for a in ${ONLY:-$ALL}; do
      /usr/bin/time -f "analyze $a: %e s, %U+%S s cpu, %M KB" $BIN analyze $a --db $db --format json >/dev/null 2>$DIR/$a.err &
      tp=$! over=
      while kill -0 $tp 2>/dev/null; do
        k=$(pgrep -P $tp); rss=$(awk '/VmRSS/ {print $2}' /proc/$k/status 2>/dev/null)
        if [ -n "$rss" ] && [ $rss -gt $CAP_KB ]; then over=1; kill $k; fi
        sleep 0.5
      done
      wait $tp; rc=$?
      tail -n1 $DIR/$a.err
      [ $rc = 0 ] || echo "analyze $a: exit $rc${over:+, stopped: RSS passed the $CAP_KB KB cap}"
    done
  fi
  if [ $n -ge 1000000 ]; then
    echo "(all 19 in one call and kexi serve skipped at $n customers: more than this machine's memory)"
    continue
  fi
  /usr/bin/time -f "analyze (all 19): %e s, %U+%S s cpu, %M KB" $BIN analyze $ALL --db $db --format json >/dev/null
  $here/serve-first.sh $BIN $db
done
