#!/bin/bash
# Regenerates packaging/link-order/lanyard.order, the order in which lld lays out the release
# executable's functions (see docs/packaging.md, "Code layout").
#
# The agent runs under callgrind in two phases, each one dump of the functions it ran:
#   1. start and idle: from exec until /v1/health answers, then 8 s of idle timers and printer polls;
#   2. work: three badges printed on the simulator, a search, /metrics and the SIGTERM shutdown.
# The file lists the executable's functions of phase 1, then those first seen in phase 2. The rest
# of the executable follows in the linker's own order, so code an idle agent never runs stays off
# the pages it maps.
#
# Usage: packaging/link-order/generate.sh [BINARY]   (default: .build/release/lanyard, `make release`)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
binary=${1:-$root/.build/release/lanyard}
[ -x "$binary" ] || { echo "generate.sh: no executable at $binary (run make release)" >&2; exit 1; }
for tool in valgrind callgrind_control curl python3 strip; do
    command -v "$tool" >/dev/null || { echo "generate.sh: needs $tool (Debian: valgrind curl python3 binutils)" >&2; exit 1; }
done

work=$(mktemp -d)
agent=
cleanup() { [ -n "$agent" ] && kill "$agent" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# Debian bookworm's valgrind cannot read the toolchain's DWARF 5; the symbol table is enough.
strip --strip-debug -o "$work/lanyard" "$binary"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

LANYARD_HOME=$root valgrind --tool=callgrind --demangle=no --dump-instr=no \
    --callgrind-out-file="$work/profile" \
    "$work/lanyard" agent --data "$work/data" --listen "127.0.0.1:$port" >"$work/agent.log" 2>&1 &
agent=$!
for _ in $(seq 600); do
    curl -sf "$url/v1/health" >/dev/null && break
    kill -0 "$agent" 2>/dev/null || { cat "$work/agent.log" >&2; exit 1; }
    sleep 0.2
done
curl -sf "$url/v1/health" >/dev/null || { echo "generate.sh: the agent did not become healthy" >&2; exit 1; }
sleep 8
callgrind_control --dump=idle "$agent" >/dev/null

for n in 1 2 3; do
    curl -sf -XPOST "$url/v1/badges" -d '{"attendee": {"source": "crm", "source_id": "ORDER-'$n'",
        "event_slug": "devcon-2026", "first_name": "Ada", "last_name": "Lovelace",
        "email": "ada@example.org", "ticket_type": "VIP"}}' >/dev/null
done
printed() { curl -sf "$url/v1/jobs/$1" | grep -q '"state":"printed"'; }
for id in 1 2 3; do
    for _ in $(seq 300); do printed "$id" && break; sleep 0.2; done
    printed "$id" || { echo "generate.sh: job $id was not printed" >&2; exit 1; }
done
curl -sf "$url/v1/attendees?q=carter" >/dev/null
curl -sf "$url/metrics" >/dev/null
kill -TERM "$agent"
wait "$agent" || true
agent=

python3 "$root/packaging/link-order/order_from_profiles.py" "$binary" "$work/profile.1" "$work/profile" \
    >"$root/packaging/link-order/lanyard.order"
wc -l "$root/packaging/link-order/lanyard.order"
