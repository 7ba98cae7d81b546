#!/bin/bash
# refresh.sh KEXI_BINARY DB WORKDIR [N]: copies DB (and DB.key) into WORKDIR, adds an admin,
# serves the copy, signs in with a browser session and waits until the cache is warm. Then, N
# times (default 5): creates one order through POST /api/v1/orders, dated at the dashboard's
# as-of time so that it counts in the headline revenue, and times the next
# GET /api/v1/dashboard; it checks that the revenue moved by the order's amount, and prints
# the POST's time, the dashboard's time and the sum. After each, it waits for the server's
# warm-up of the new version to end (the "cache warmed" log line), so that each write is
# measured on its own; then the same with GET / (the dashboard page) in place of the API.
# Nothing is asserted; a revenue that did not move is reported.
set -u
BIN=$1 SRC=$2 W=$3 N=${4:-5}
rm -rf "$W"; mkdir -p "$W"; cd "$W"
cp "$SRC" k.db; cp "$SRC.key" k.db.key
echo 'refresh-pass-1' | $BIN users add --db k.db --login admin --role admin --password-stdin >/dev/null
port=$((20000 + RANDOM % 20000)); base=http://127.0.0.1:$port
start=$(date +%s.%N)
$BIN serve --db k.db --addr 127.0.0.1:$port >serve.log 2>&1 & PID=$!
for i in $(seq 600); do curl -sf $base/healthz >/dev/null && break; sleep 0.1; done
csrf=$(curl -s -c jar -b jar $base/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" -d login=admin -d password=refresh-pass-1 $base/login
CSRF=$(curl -s -c jar -b jar $base/ | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -1)
echo "first dashboard $(echo "$(date +%s.%N) - $start" | bc) s after starting"
warmed() { grep -c 'cache warmed' serve.log; }
for i in $(seq 1200); do [ "$(warmed)" -ge 1 ] && break; sleep 0.5; done
echo "cache warm $(echo "$(date +%s.%N) - $start" | bc) s after starting; RSS $(grep VmRSS /proc/$PID/status | awk '{print int($2/1024)}') MiB"
cust=$(curl -s -b jar "$base/api/v1/customers?limit=1" | jq -r '.items[0].external_id')
dash() { curl -s -b jar $base/api/v1/dashboard; }
measure() { # $1: api or page
  local d0 r0 asof amount w post get r1
  d0=$(dash); r0=$(echo "$d0" | jq .revenue); asof=$(echo "$d0" | jq -r .as_of)
  amount=$((1000 + RANDOM % 9000)).25
  w=$(warmed)
  post=$(curl -s -b jar -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -o post.json -w '%{time_total}' \
    -d "{\"customer\":\"$cust\",\"ordered_at\":\"$asof\",\"amount\":$amount}" $base/api/v1/orders)
  if [ "$1" = api ]; then
    get=$(curl -s -b jar -o dash.json -w '%{time_total}' $base/api/v1/dashboard)
  else
    get=$(curl -s -b jar -o page.html -w '%{time_total}' $base/)
    dash >dash.json
  fi
  r1=$(jq .revenue dash.json)
  ok=$(echo "$r1 - $r0 - $amount" | bc | sed 's/^-//' | awk '{print ($1 < 0.01) ? "shows the order" : "MISSING the order"}')
  printf '%-4s POST %ss  next dashboard %ss  sum %ss  revenue %s -> %s: %s\n' $1 $post $get "$(echo "$post + $get" | bc)" $r0 $r1 "$ok"
  for j in $(seq 1200); do [ "$(warmed)" -gt "$w" ] && break; sleep 0.5; done
}
for k in $(seq $N); do measure api; done
for k in $(seq $N); do measure page; done
echo "RSS $(grep VmRSS /proc/$PID/status | awk '{print int($2/1024)}') MiB, peak $(grep VmHWM /proc/$PID/status | awk '{print int($2/1024)}') MiB"
kill $PID; wait $PID 2>/dev/null
