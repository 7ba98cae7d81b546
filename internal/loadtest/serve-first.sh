#!/bin/bash
# serve-first.sh KEXI_BINARY DB: starts kexi serve on a copy of DB with an admin, signs in as
# soon as it answers and times the first dashboard from the start of the process, with the CPU
# the server had used by then (user+system, all its threads: the warm-up's too); then times a
# second page (/customers) opened right after; prints the server's CPU, RSS (anonymous and file
# pages: the database file is mapped) and peak RSS once the cache is warm (issue #15: first
# dashboard within 10 s, RSS <= 1.5 GiB on the 100k demo).
BIN=$1 DB=$2; W=$(mktemp -d); cp "$DB" $W/k.db; cp "$DB.key" $W/k.db.key 2>/dev/null; cd $W
echo 'serve-admin-pass-1' | $BIN users add --db k.db --login admin --role admin --password-stdin >/dev/null
port=$((20000 + RANDOM % 20000)); base=http://127.0.0.1:$port
start=$(date +%s.%N)
$BIN serve --db k.db --addr 127.0.0.1:$port >serve.log 2>&1 & PID=$!
for i in $(seq 600); do curl -sf $base/healthz >/dev/null && break; sleep 0.05; done
csrf=$(curl -s -c jar -b jar $base/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" -d login=admin -d password=serve-admin-pass-1 $base/login
code=$(curl -s -b jar -o dash.html -w '%{http_code}' $base/)
end=$(date +%s.%N)
cpu=$(awk -v hz=$(getconf CLK_TCK) '{print ($14+$15)/hz}' /proc/$PID/stat)
second=$(curl -s -b jar -o /dev/null -w '%{http_code} %{time_total}' $base/customers)
echo "first dashboard: HTTP $code after $(echo "$end - $start" | bc) s from start, $cpu s CPU"
echo "second page (/customers) right after: HTTP $second s"
for i in $(seq 1200); do grep -q "cache warmed" serve.log && break; sleep 0.5; done
grep "cache warmed" serve.log | head -1
echo "once warm: $(awk -v hz=$(getconf CLK_TCK) '{print ($14+$15)/hz}' /proc/$PID/stat) s CPU; $(grep -E 'RssAnon|RssFile' /proc/$PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"
echo "peak RSS $(awk '/VmHWM/ {print $2}' /proc/$PID/status) KB"
kill $PID 2>/dev/null; wait $PID 2>/dev/null
rm -rf $W
