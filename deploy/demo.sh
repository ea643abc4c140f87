#!/usr/bin/env bash
# make demo: two hosts and Bridgekeeper between them, each in its own network namespace,
# real traffic through the bridge, and what the policy did. Removes everything it made, also
# on failure or Ctrl-C. Run as root (namespaces, veth pairs).
#
#   host A  a0 198.18.1.1 ==veth== pa [ bridgekeeper ] pb ==veth== b0 198.18.1.2  host B
set -euo pipefail

BIN=${BIN:-.build/release/bridgekeeper}
POLICY=${POLICY:-policies/demo.policy}
NS_A=bkdemo-a
NS_B=bkdemo-b
NS_BR=bkdemo-br
WORK=$(mktemp -d /tmp/bkdemo.XXXXXX)
CONTROL=$WORK/control.sock
BRIDGE_PID=

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run_in() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$BRIDGE_PID" ] && kill -0 "$BRIDGE_PID" 2>/dev/null; then
        kill -TERM "$BRIDGE_PID" 2>/dev/null || true
        wait "$BRIDGE_PID" 2>/dev/null || true
    fi
    for ns in $NS_A $NS_B $NS_BR; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$WORK"
    [ "$status" -eq 0 ] || echo "demo: failed (status $status); everything it made has been removed" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "demo: no $BIN; run 'make release' first" >&2; exit 1; }
for ns in $NS_A $NS_B $NS_BR; do ip netns del "$ns" 2>/dev/null || true; done

bold "Setting up: host A, host B, and a bridge namespace with ports pa and pb"
for ns in $NS_A $NS_B $NS_BR; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n $NS_BR link add pa type veth peer name a0 netns $NS_A
ip -n $NS_BR link add pb type veth peer name b0 netns $NS_B
for side in a b; do
    ns=bkdemo-$side
    n=$([ $side = a ] && echo 1 || echo 2)
    run_in "$ns" ethtool -K ${side}0 tso off gso off >/dev/null   # veth would send 64 KB frames otherwise
    ip -n "$ns" addr add 198.18.1.$n/24 dev ${side}0
    ip -n "$ns" addr add 2001:db8:1::$n/64 dev ${side}0 nodad
    ip -n "$ns" link set ${side}0 up
    ip -n $NS_BR link set p$side up
done
echo "  host A: a0 198.18.1.1, 2001:db8:1::1    host B: b0 198.18.1.2, 2001:db8:1::2"

bold "Checking the policy: $BIN check $POLICY"
"$BIN" check "$POLICY"

bold "Starting: bridgekeeper run --port-a pa --port-b pb --policy $POLICY"
# Started directly, not through run_in: `ip netns exec` execs the bridge, so $! is the bridge
# itself (a backgrounded shell function would leave $! to a subshell, and killing that would
# orphan the bridge).
ip netns exec $NS_BR "$BIN" run --port-a pa --port-b pb --policy "$POLICY" --control "$CONTROL" \
    >"$WORK/bridge.log" 2>&1 &
BRIDGE_PID=$!
for _ in $(seq 1 100); do
    run_in $NS_BR "$BIN" status --control "$CONTROL" >/dev/null 2>&1 && break
    kill -0 "$BRIDGE_PID" 2>/dev/null || { cat "$WORK/bridge.log"; exit 1; }
    sleep 0.1
done
sed 's/^/  log: /' "$WORK/bridge.log"

bold "1. ping A -> B (rule slow-ping holds each request 20 ms)"
run_in $NS_A ping -n -c 4 -i 0.2 198.18.1.2 | sed 's/^/  /'

bold "2. ping B -> A over IPv6 (neighbour discovery crosses the bridge)"
run_in $NS_B ping -n -c 3 -i 0.2 2001:db8:1::1 | sed 's/^/  /'

bold "3. a 20 MB TCP transfer A -> B, checked by SHA-256 on both ends"
run_in $NS_B python3 -c '
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.1.2", 5001)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d); n += len(d)
print("  B received %d bytes, sha256 %s" % (n, h.hexdigest()))' &
SERVER=$!
sleep 0.3
run_in $NS_A python3 -c '
import hashlib, os, socket, time
data = os.urandom(20 * 1024 * 1024)
t = time.time(); c = socket.create_connection(("198.18.1.2", 5001)); c.sendall(data); c.close()
print("  A sent     %d bytes, sha256 %s (%.1f MB/s)" % (len(data), hashlib.sha256(data).hexdigest(), len(data) / (time.time() - t) / 1e6))'
wait $SERVER

bold "4. telnet (tcp/23) A -> B: rule no-telnet drops it"
run_in $NS_A python3 -c '
import socket
try:
    socket.create_connection(("198.18.1.2", 23), timeout=2)
    print("  connected (unexpected)")
except OSError as e:
    print("  no answer: %s" % e)'

bold "5. UDP to port 9999 A -> B: rule mark-voice sets DSCP EF (tos 0xb8) on the way"
run_in $NS_B timeout 5 tcpdump -l -n -v -c 1 -i b0 udp port 9999 2>/dev/null | sed 's/^/  B sees: /' &
DUMP=$!
sleep 1
run_in $NS_A python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"voice", ("198.18.1.2", 9999))'
wait $DUMP || true

bold "What the bridge did: bridgekeeper status"
run_in $NS_BR "$BIN" status --control "$CONTROL"

bold "The bridge's log"
sed 's/^/  /' "$WORK/bridge.log"
echo
echo "demo: done; removing the namespaces"
