#!/usr/bin/env python3
"""Stands in for systemd's notification socket: binds a unix datagram socket and prints each
datagram it receives as one JSON line, {"pid": SENDER_PID, "fields": ["READY=1", ...]}, flushed
at once so a test can follow the file while the service runs.

    notify_socket.py /tmp/x/notify.sock  > messages.jsonl &    # a path
    notify_socket.py @lanyard-test-1234   > messages.jsonl &    # abstract namespace, as systemd uses
    NOTIFY_SOCKET=/tmp/x/notify.sock WATCHDOG_USEC=2000000 lanyard agent ...

The sender's pid comes from the kernel (SO_PASSCRED), not from the message, so a test can check
that the notifications come from the main process (NotifyAccess=main). The socket is ready when
the script prints its address on standard error. It runs until SIGTERM or SIGINT, or until it has
printed --count datagrams.
"""

import argparse
import json
import os
import signal
import socket
import struct
import sys


def address(name: str) -> str | bytes:
    # Python takes an abstract address as bytes starting with NUL; systemd writes it with '@'.
    return b"\0" + name[1:].encode() if name.startswith("@") else name


def sender_pid(ancillary: list[tuple[int, int, bytes]]) -> int | None:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(data) >= 12:
            pid, _uid, _gid = struct.unpack("iII", data[:12])
            return pid
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("socket", help="socket path, or @name for the abstract namespace")
    parser.add_argument("--count", type=int, default=0, help="exit after this many datagrams (0: never)")
    args = parser.parse_args()

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    if not args.socket.startswith("@") and os.path.exists(args.socket):
        os.unlink(args.socket)
    sock.bind(address(args.socket))
    if not args.socket.startswith("@"):
        # The service may run as another user (the lanyard user in test_deb.sh).
        os.chmod(args.socket, 0o666)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {args.socket}", file=sys.stderr, flush=True)

    received = 0
    try:
        while args.count == 0 or received < args.count:
            data, ancillary, _flags, _ = sock.recvmsg(4096, socket.CMSG_SPACE(12))
            fields = data.decode("utf-8", errors="replace").split("\n")
            print(json.dumps({"pid": sender_pid(ancillary), "fields": [f for f in fields if f]}), flush=True)
            received += 1
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        if not args.socket.startswith("@") and os.path.exists(args.socket):
            os.unlink(args.socket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
