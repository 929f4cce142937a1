#!/usr/bin/env python3
"""Checks that packaging/link-order/lanyard.order still covers the code an idle agent runs.

The order file lists, by symbol, the functions the release agent runs at start and at idle, so
that lld packs them together and an idle kiosk keeps few pages of the executable resident
(docs/packaging.md, "Code layout"). As the code changes, new or renamed functions fall back to
the linker's order and the idle agent's resident code creeps up. This check fails when either
has gone too far, so that `make link-order` is run:

- the share of the order file's symbols the executable no longer defines (renamed or gone);
- the executable's resident code in an idle agent (file-backed pages of its executable
  mappings), against the bound recorded with the order.

Usage: python3 Benchmarks/link_order_check.py --lanyard .build/release/lanyard
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER = os.path.join(ROOT, "packaging", "link-order", "lanyard.order")
# Resident code of the idle release agent: 8.8 MB with this order (2026-12-07, regenerated after
# the error types were renamed; 11.9 MB with the stale one); about 30 MB with no order at all
# (docs/packaging.md). The bound sits between, with room for machine noise.
MAX_RESIDENT_CODE_MB = 12.0
MAX_STALE_SHARE = 0.15


def defined_symbols(executable):
    out = subprocess.run(["nm", "--defined-only", "--format=just-symbols", executable],
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_code_mb(pid, executable):
    real = os.path.realpath(executable)
    total_kb, in_code = 0, False
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if len(fields) >= 5 and "-" in fields[0] and len(fields[1]) == 4:
                in_code = "x" in fields[1] and len(fields) >= 6 and os.path.realpath(fields[5]) == real
            elif in_code and fields[0] == "Rss:":
                total_kb += int(fields[1])
    return total_kb / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lanyard", required=True)
    parser.add_argument("--idle-seconds", type=float, default=5)
    args = parser.parse_args()

    with open(ORDER) as order_file:
        ordered = [line.strip() for line in order_file if line.strip() and not line.startswith("#")]
    defined = defined_symbols(args.lanyard)
    stale = [symbol for symbol in ordered if symbol not in defined]
    stale_share = len(stale) / max(1, len(ordered))

    port = free_port()
    data = tempfile.mkdtemp(prefix="lanyard-link-order-")
    agent = subprocess.Popen([args.lanyard, "agent", "--listen", f"127.0.0.1:{port}", "--data", data, "--log-level", "error"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or agent.poll() is not None:
                    print("link-order check: the agent did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)
        time.sleep(args.idle_seconds)
        code_mb = resident_code_mb(agent.pid, args.lanyard)
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=30)

    result = {"order_symbols": len(ordered), "stale_symbols": len(stale), "stale_share": round(stale_share, 3),
              "resident_code_mb": round(code_mb, 1), "bounds": {"stale_share": MAX_STALE_SHARE, "resident_code_mb": MAX_RESIDENT_CODE_MB}}
    print(json.dumps(result))
    failed = stale_share > MAX_STALE_SHARE or code_mb > MAX_RESIDENT_CODE_MB
    if failed:
        print("link-order check: the order no longer covers the idle agent's code; run `make link-order`", file=sys.stderr)
        return 1
    print("link-order check: the order covers the idle agent")
    return 0


if __name__ == "__main__":
    sys.exit(main())
