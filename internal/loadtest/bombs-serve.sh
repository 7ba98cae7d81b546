#!/bin/bash
# bombs-serve.sh KEXI_BINARY FILES_DIR WORKDIR: starts kexi serve on a fresh database, signs in with
# curl, uploads the bombs to POST /api/v1/import and reports status, time and the server's
# peak RSS (VmHWM); then uploads customers.csv ten times and reports VmRSS before and after.
# FILES_DIR holds the files the bombs command made (README.md); WORKDIR is emptied first.
set -u
BIN=$1; B=$(cd "$2" && pwd); W=$3
rm -rf "$W"; mkdir -p "$W"; cd "$W"
echo 'measure-pass-1' | $BIN users add --db k.db --login admin --role admin --password-stdin >/dev/null
port=$((20000 + RANDOM % 20000))
start() {
  $BIN serve --db k.db --addr 127.0.0.1:$port >serve.log 2>&1 &
  PID=$!
  for i in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
  rm -f jar
  csrf=$(curl -s -c jar -b jar http://127.0.0.1:$port/login | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -c jar -b jar -o /dev/null --data-urlencode "csrf=$csrf" -d login=admin -d password=measure-pass-1 http://127.0.0.1:$port/login
  CSRF=$(curl -s -c jar -b jar http://127.0.0.1:$port/ | sed -n 's/.*name="csrf-token" content="\([^"]*\)".*/\1/p' | head -1)
}
mem() { grep -E "^$1" /proc/$PID/status | awk '{printf "%d MiB", $2/1024}'; }
upload() {
  curl -s -b jar -H "X-CSRF-Token: $CSRF" -F "file=@$1" -F kind=customers -o resp.json \
    -w '%{http_code} in %{time_total} s' http://127.0.0.1:$port/api/v1/import
}
for f in cell.csv.gz cell.xlsx; do
  start
  echo "== $f: RSS before $(mem VmRSS)"
  echo "   answer $(upload $B/$f); server peak RSS $(mem VmHWM)"
  echo "   body: $(head -c 400 resp.json)"
  kill $PID; wait $PID 2>/dev/null
done
start
echo "== 10 x customers.csv ($(du -h $B/customers.csv | cut -f1)): RSS before $(mem VmRSS)"
for i in $(seq 10); do upload $B/customers.csv >/dev/null; done
echo "   RSS after 10 uploads $(mem VmRSS), peak $(mem VmHWM)"
sleep 60
echo "   RSS 60 s later $(mem VmRSS)"
kill $PID; wait $PID 2>/dev/null
