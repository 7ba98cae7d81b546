#!/bin/bash
# drill.sh KEXI_BINARY DIR: a 5,000-customer demo served with an admin; times the customer API
# with analysis fields (issue #19), three calls each after one that warms the cache.
BIN=$1 W=$2; rm -rf "$W"; mkdir -p "$W"; cd "$W"
$BIN demo --db k.db --no-serve >/dev/null 2>&1
echo 'drill-admin-pass-1' | $BIN users add --db k.db --login admin --role admin --password-stdin >/dev/null
port=$((20000 + RANDOM % 20000)); base=http://127.0.0.1:$port
$BIN serve --db k.db --addr 127.0.0.1:$port >serve.log 2>&1 & PID=$!
for i in $(seq 300); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done
csrf=$(curl -s -c jar -b jar $base/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" -d login=admin -d password=drill-admin-pass-1 $base/login
for q in 'limit=50' 'f=rfm.segment:eq:important_winback' 'f=churn.probability:gt:0.6&sort=-clv.value' 'sort=-churn.value_at_risk'; do
  curl -s -b jar -o /dev/null "$base/api/v1/customers?$q"   # warms the analyses' cache
  printf '%-45s' "$q"
  for i in 1 2 3; do curl -s -b jar -o /dev/null -w ' %{time_total}s' "$base/api/v1/customers?$q"; done; echo
done
kill $PID; wait $PID 2>/dev/null
