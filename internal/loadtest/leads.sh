#!/bin/bash
# leads.sh KEXI_BINARY DIR: a 5,000-customer demo, a 广东 regional manager, and how many leads
# GET /api/v1/leads shows that manager.
# DIR is emptied first.
BIN=$1 W=$2; rm -rf "$W"; mkdir -p "$W"; cd "$W"
$BIN demo --db k.db --no-serve >/dev/null 2>&1
echo 'region-manager-pass-1' | $BIN users add --db k.db --login gd --role manager --region 广东 --password-stdin >/dev/null
port=$((20000 + RANDOM % 20000))
$BIN serve --db k.db --addr 127.0.0.1:$port >serve.log 2>&1 & PID=$!
for i in $(seq 300); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
csrf=$(curl -s -c jar -b jar http://127.0.0.1:$port/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" -d login=gd -d password=region-manager-pass-1 http://127.0.0.1:$port/login
curl -s -b jar "http://127.0.0.1:$port/api/v1/leads?limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print({k:v for k,v in d.items() if k!="items" and k!="data"})'
kill $PID; wait $PID 2>/dev/null
