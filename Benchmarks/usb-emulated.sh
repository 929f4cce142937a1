#!/bin/sh
# Runs `lanyard bench --printer-only --printer usb` against the emulated USB printer of the test
# suite (Tests/Tools/usb_printer_emulator.py under umockdev): the real libusb code path, with a
# Python process answering each usbfs call. Needs a release build and umockdev (make deps).
set -eu
cd "$(dirname "$0")/.."
fifo=$(mktemp -u)
mkfifo "$fifo"
# The emulator reads commands on stdin until it closes; keep it open with a sleeping writer.
sleep 600 > "$fifo" &
keeper=$!
trap 'kill $keeper 2>/dev/null; rm -f "$fifo"' EXIT
umockdev-wrapper /usr/bin/python3 Tests/Tools/usb_printer_emulator.py < "$fifo" > "$fifo.out" &
while ! grep -q READY "$fifo.out" 2>/dev/null; do sleep 0.1; done
root=$(awk '/READY/ {print $2}' "$fifo.out")
rm -f "$fifo.out"
UMOCKDEV_DIR="$root" umockdev-wrapper .build/release/lanyard bench --printer-only --printer usb "$@"
