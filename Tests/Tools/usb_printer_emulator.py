"""An emulated USB printer for Lanyard's USB transport tests.

A umockdev testbed holds Zebra ZD621-style printers (vendor 0a5f, product 0179, one interface of
class 7/1/2 with bulk OUT 0x01 and bulk IN 0x81, 512-byte packets). A programmable usbdevfs ioctl
handler answers what libusb asks of the device node, so the code under test runs its real libusb
path: it claims the interface, detaches a bound kernel driver, sends bulk OUT data (recorded
byte for byte to a file per printer), reads bulk IN replies and sends class requests.

Run it under umockdev's preload library (the test process passes LD_PRELOAD on), so that the
testbed's uevents reach the client's netlink socket. It prints one line when ready:

    READY <testbed root> <record directory>

then reads commands on stdin, one a line, and answers each with one line, `OK ...` or `ERR ...`.
End of input ends it and removes both directories.

    RESET                 every printer back to its start: slot 0 plugged, others unplugged,
                          recordings emptied, no modes, kernel driver unbound
    PLUG <slot>           (re-)plug a printer; `add` uevents follow
    UNPLUG <slot>         unplug now: pending transfers fail with -ESHUTDOWN, the open device
                          nodes with ENODEV, `remove` uevents follow
    UNPLUG_AFTER <slot> <n>  unplug once n bulk OUT bytes (counted from now) have been taken; the
                          transfer that crosses n takes only the bytes up to n
    BLOCK_AFTER <slot> <n>  take n more bulk OUT bytes, then leave transfers pending (a full
                          buffer: a paused printer or an open head) until UNBLOCK
    UNBLOCK <slot>        take the pending bulk OUT transfers and everything after them
    SILENT <slot> 0|1     answer status queries (~HS, ~HQES, ~HI) or stay silent
    BIND <slot>           bind the kernel printer driver (usblp) to the interface
    PORT_STATUS <slot> <byte>  the GET_PORT_STATUS answer (decimal)
    STATE <slot>          key=value facts about that printer
"""
import errno
import os
import shutil
import struct
import sys
import tempfile
import threading

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402

# usbdevfs ioctl numbers (x86_64 / LP64).
SUBMITURB = 0x8038550A
DISCARDURB = 0x0000550B
REAPURB = 0x4008550C
REAPURBNDELAY = 0x4008550D
CLAIMINTERFACE = 0x8004550F
RELEASEINTERFACE = 0x80045510
SETINTERFACE = 0x80085504
SETCONFIGURATION = 0x80045505
GETDRIVER = 0x41045508
CONNECTINFO = 0x40085511
USBDEVFS_IOCTL = 0xC0105512
RESET_DEVICE = 0x00005514
CLEAR_HALT = 0x80045515
GET_CAPABILITIES = 0x8004551A
DISCONNECT_CLAIM = 0x8108551B
GET_SPEED = 0x0000551F
# Sub-commands of USBDEVFS_IOCTL.
DISCONNECT = 0x5516
CONNECT = 0x5517

URB_TYPE_CONTROL = 2
URB_TYPE_BULK = 3
# struct usbdevfs_urb offsets (LP64).
URB_SIZE = 56
URB_STATUS = 4
URB_BUFFER = 16
URB_BUFFER_LENGTH = 24
URB_ACTUAL_LENGTH = 28

ENDPOINT_OUT = 0x01
ENDPOINT_IN = 0x81
MAX_PACKET = 512
VENDOR_ID = 0x0A5F
PRODUCT_ID = 0x0179
MANUFACTURER = "Zebra Technologies"
PRODUCT = "ZTC ZD621-203dpi ZPL"
DEVICE_ID_TEXT = "MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZD621-203dpi ZPL;CLASS:PRINTER;OPTIONS:XML;"

# Canned replies, one bulk IN transfer per frame so that readers must collect several transfers.
HS_REPLY = [
    b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n",
    b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n",
    b"\x021234,0\x03\r\n",
]
HQES_REPLY = [b"\x02\r\nPRINTER STATUS\r\n   ERRORS:         0 00000000 00000000\r\n   WARNINGS:       0 00000000 00000000\r\n\x03\r\n"]
HI_REPLY = [b"\x02ZD621-203dpi,V93.21.26Z,8,8192KB\x03\r\n"]
QUERIES = [(b"~HQES", HQES_REPLY), (b"~HS", HS_REPLY), (b"~HI", HI_REPLY)]

DEVICE_DESCRIPTOR = struct.pack(
    "<BBHBBBBHHHBBBB", 18, 1, 0x0200, 0, 0, 0, 64, VENDOR_ID, PRODUCT_ID, 0x0100, 1, 2, 3, 1
)
CONFIG_DESCRIPTOR = (
    struct.pack("<BBHBBBBB", 9, 2, 32, 1, 1, 0, 0xC0, 50)
    + struct.pack("<BBBBBBBBB", 9, 4, 0, 0, 2, 7, 1, 2, 0)
    + struct.pack("<BBBBHB", 7, 5, ENDPOINT_OUT, 2, MAX_PACKET, 0)
    + struct.pack("<BBBBHB", 7, 5, ENDPOINT_IN, 2, MAX_PACKET, 0)
)

lock = threading.RLock()


def log(message):
    sys.stderr.write("usb_printer_emulator: %s\n" % message)
    sys.stderr.flush()


class Urb:
    """One submitted URB: the client's memory, resolved, kept until it is reaped."""

    def __init__(self, address, data, buffer, length):
        self.address = address
        self.data = data
        self.buffer = buffer
        self.length = length

    def finish(self, status, actual):
        self.data.update(URB_STATUS, struct.pack("<i", status))
        self.data.update(URB_ACTUAL_LENGTH, struct.pack("<i", actual))


class Printer:
    def __init__(self, testbed, slot, record_dir):
        self.testbed = testbed
        self.slot = slot
        self.serial = "D8N21%07d" % (3901234 + slot)
        self.devnum = 2 + slot
        self.port = 1 + slot
        self.syspath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d" % self.port
        self.interface_syspath = "%s/1-%d:1.0" % (self.syspath, self.port)
        self.devnode = "/dev/bus/usb/001/%03d" % self.devnum
        self.record_path = os.path.join(record_dir, "slot%d.out" % slot)
        self.plugged = False
        self.generation = 0
        self.clients = {}
        self.handler = UMockdev.IoctlBase()
        self.handler.connect("handle-ioctl", self.handle_ioctl)
        self.handler.connect("client-connected", self.client_connected)
        self.handler.connect("client-vanished", self.client_vanished)
        self.testbed.attach_ioctl(self.devnode, self.handler)
        self.reset_modes()
        open(self.record_path, "wb").close()

    # Modes and bookkeeping -----------------------------------------------------------------

    def reset_modes(self):
        self.silent = False
        self.unplug_after = None
        self.block_after = None
        self.port_status = 0x18
        self.driver = None
        self.claimed_by = None
        self.pending_in = []
        self.pending_out = []
        self.completed = []
        self.replies = []
        self.query_tail = b""
        self.received = 0
        self.detaches = 0
        self.attaches = 0
        self.status_queries = 0
        self.device_id_requests = 0

    def clear_recording(self):
        open(self.record_path, "wb").close()
        self.received = 0

    def description(self):
        """The device and its printer interface in umockdev's text format (trailing newlines in
        attributes matter: libusb parses busnum and devnum with them)."""
        descriptors = (DEVICE_DESCRIPTOR + CONFIG_DESCRIPTOR).hex().upper()
        fields = {
            "device": self.syspath[len("/sys"):],
            "interface": self.interface_syspath[len("/sys"):],
            "devnum": self.devnum,
            "minor": self.devnum - 1,
            "descriptors": descriptors,
            "manufacturer": MANUFACTURER,
            "product": PRODUCT,
            "serial": self.serial,
        }
        return (
            "P: {device}\n"
            "N: bus/usb/001/{devnum:03d}={descriptors}\n"
            "E: DEVNAME=/dev/bus/usb/001/{devnum:03d}\n"
            "E: DEVTYPE=usb_device\n"
            "E: SUBSYSTEM=usb\n"
            "E: DRIVER=usb\n"
            "E: BUSNUM=001\n"
            "E: DEVNUM={devnum:03d}\n"
            "E: PRODUCT=a5f/179/100\n"
            "A: busnum=1\\n\n"
            "A: devnum={devnum}\\n\n"
            "A: speed=480\\n\n"
            "A: bConfigurationValue=1\\n\n"
            "A: bNumInterfaces= 1\\n\n"
            "A: dev=189:{minor}\\n\n"
            "A: idVendor=0a5f\\n\n"
            "A: idProduct=0179\\n\n"
            "A: manufacturer={manufacturer}\\n\n"
            "A: product={product}\\n\n"
            "A: serial={serial}\\n\n"
            "H: descriptors={descriptors}\n"
            "\n"
            "P: {interface}\n"
            "E: DEVTYPE=usb_interface\n"
            "E: SUBSYSTEM=usb\n"
            "E: INTERFACE=7/1/2\n"
            "E: PRODUCT=a5f/179/100\n"
            "A: bInterfaceClass=07\\n\n"
            "A: bInterfaceSubClass=01\\n\n"
            "A: bInterfaceProtocol=02\\n\n"
            "A: bInterfaceNumber=00\\n\n"
            "A: bAlternateSetting= 0\\n\n"
            "A: bNumEndpoints=02\\n\n"
        ).format(**fields)

    def plug(self):
        if self.plugged:
            return
        self.reset_modes()
        self.generation += 1
        self.plugged = True
        self.testbed.add_from_string(self.description())

    def unplug(self):
        if not self.plugged:
            return
        self.plugged = False
        self.unplug_after = None
        for urb in self.pending_in + self.pending_out:
            urb.finish(-errno.ESHUTDOWN, 0)
            self.completed.append(urb)
        self.pending_in = []
        self.pending_out = []
        # Children before the parent, each announced before it goes, as the kernel does. umockdev
        # 0.17 (Debian bookworm) sends no `remove` uevent and leaves the interface's bus link
        # behind unless the interface is removed on its own; later versions also announce
        # removals themselves, and a repeated `remove` for a device already gone is ignored.
        for syspath in (self.interface_syspath, self.syspath):
            self.testbed.uevent(syspath, "remove")
            self.testbed.remove_device(syspath)

    def state(self):
        return "plugged=%d driver=%s claimed=%d received=%d detaches=%d attaches=%d status_queries=%d device_id_requests=%d serial=%s" % (
            1 if self.plugged else 0,
            self.driver or "none",
            0 if self.claimed_by is None else 1,
            self.received,
            self.detaches,
            self.attaches,
            self.status_queries,
            self.device_id_requests,
            self.serial,
        )

    # Clients ------------------------------------------------------------------------------

    def client_connected(self, handler, client):
        with lock:
            self.clients[client] = self.generation if self.plugged else -1

    def client_vanished(self, handler, client):
        with lock:
            if self.claimed_by is client:
                self.claimed_by = None
            self.clients.pop(client, None)

    def stale(self, client):
        return not self.plugged or self.clients.get(client) != self.generation

    def interface_usable(self, client):
        """usbfs claims an unclaimed interface implicitly on first use; a bound driver or
        another client's claim makes that fail with EBUSY."""
        if self.claimed_by is client:
            return True
        if self.claimed_by is not None or self.driver is not None:
            return False
        self.claimed_by = client
        return True

    # ioctls -------------------------------------------------------------------------------

    def handle_ioctl(self, handler, client):
        with lock:
            request = client.get_request() & 0xFFFFFFFF
            arg = client.get_arg()
            try:
                result = self.dispatch(client, request, arg)
            except Exception as error:  # report, then fail the call rather than hang the client
                log("ioctl 0x%08x failed in the handler: %r" % (request, error))
                result = (-1, errno.EIO)
            if result is None:
                log("unhandled ioctl 0x%08x" % request)
                result = (-1, errno.ENOTTY)
            client.complete(result[0], result[1])
            if self.plugged and self.unplug_after is not None and self.unplug_after <= 0:
                self.unplug()
        return True

    def dispatch(self, client, request, arg):
        reaping = request in (REAPURB, REAPURBNDELAY)
        if self.stale(client) and not (reaping and self.completed):
            return (-1, errno.ENODEV)
        if request == GET_CAPABILITIES:
            arg.resolve(0, 4).update(0, struct.pack("<I", 0x1F))
            return (0, 0)
        if request == GET_SPEED:
            return (3, 0)
        if request == CONNECTINFO:
            arg.resolve(0, 8).update(0, struct.pack("<IB", self.devnum, 0))
            return (0, 0)
        if request in (SETCONFIGURATION, SETINTERFACE, CLEAR_HALT, RESET_DEVICE):
            return (0, 0)
        if request == CLAIMINTERFACE:
            if self.claimed_by is client:
                return (0, 0)
            if self.claimed_by is not None or self.driver is not None:
                return (-1, errno.EBUSY)
            self.claimed_by = client
            return (0, 0)
        if request == RELEASEINTERFACE:
            if self.claimed_by is not client:
                return (-1, errno.EINVAL)
            self.claimed_by = None
            return (0, 0)
        if request == GETDRIVER:
            data = arg.resolve(0, 260)
            if self.claimed_by is not None:
                name = b"usbfs"
            elif self.driver is not None:
                name = self.driver.encode()
            else:
                return (-1, errno.ENODATA)
            data.update(4, name + b"\0")
            return (0, 0)
        if request == DISCONNECT_CLAIM:
            return (-1, errno.ENOTTY)
        if request == USBDEVFS_IOCTL:
            _, code = struct.unpack("<ii", bytes(arg.resolve(0, 16).retrieve())[:8])
            if code == DISCONNECT:
                if self.driver is None:
                    return (-1, errno.ENODATA)
                self.driver = None
                self.detaches += 1
                return (0, 0)
            if code == CONNECT:
                if self.claimed_by is not None:
                    return (-1, errno.EBUSY)
                if self.driver is not None:
                    return (0, 0)
                self.driver = "usblp"
                self.attaches += 1
                return (1, 0)
            return (-1, errno.EINVAL)
        if request == SUBMITURB:
            return self.submit(client, arg)
        if reaping:
            if self.completed:
                urb = self.completed.pop(0)
                arg.resolve(0, 8).set_ptr(0, urb.data)
                return (0, 0)
            return (-1, errno.ENODEV if self.stale(client) else errno.EAGAIN)
        if request == DISCARDURB:
            address = struct.unpack("<Q", bytes(arg.retrieve())[:8])[0]
            for pending in (self.pending_in, self.pending_out):
                for urb in pending:
                    if urb.address == address:
                        pending.remove(urb)
                        urb.finish(-errno.ENOENT, 0)
                        self.completed.append(urb)
                        return (0, 0)
            return (-1, errno.EINVAL)
        return None

    def submit(self, client, arg):
        address = struct.unpack("<Q", bytes(arg.retrieve())[:8])[0]
        data = arg.resolve(0, URB_SIZE)
        raw = bytes(data.retrieve())
        kind, endpoint = raw[0], raw[1]
        length = struct.unpack("<i", raw[URB_BUFFER_LENGTH:URB_BUFFER_LENGTH + 4])[0]
        buffer = data.resolve(URB_BUFFER, length) if length > 0 else None
        urb = Urb(address, data, buffer, length)
        if kind == URB_TYPE_CONTROL:
            return self.control(client, urb)
        if kind != URB_TYPE_BULK or endpoint not in (ENDPOINT_OUT, ENDPOINT_IN):
            return (-1, errno.EINVAL)
        if not self.interface_usable(client):
            return (-1, errno.EBUSY)
        if endpoint == ENDPOINT_OUT:
            if self.pending_out or (self.block_after is not None and self.block_after <= 0):
                self.pending_out.append(urb)
            else:
                self.bulk_out(urb)
        else:
            self.pending_in.append(urb)
            self.deliver_replies()
        return (0, 0)

    def bulk_out(self, urb):
        payload = bytes(urb.buffer.retrieve()) if urb.buffer is not None else b""
        status = 0
        if self.unplug_after is not None and len(payload) >= self.unplug_after:
            payload = payload[: self.unplug_after]
            status = -errno.ESHUTDOWN
            self.unplug_after = 0
        elif self.unplug_after is not None:
            self.unplug_after -= len(payload)
        if self.block_after is not None:
            self.block_after -= len(payload)
        with open(self.record_path, "ab") as record:
            record.write(payload)
        self.received += len(payload)
        urb.finish(status, len(payload))
        self.completed.append(urb)
        self.answer_queries(payload)

    def unblock(self):
        self.block_after = None
        pending, self.pending_out = self.pending_out, []
        for urb in pending:
            self.bulk_out(urb)

    def answer_queries(self, payload):
        """Status queries in the bulk OUT stream queue their canned replies. The last bytes of
        the previous transfer are kept so a query split across two transfers is still seen; a
        query counts only where it ends in the new bytes, so none is answered twice."""
        tail = self.query_tail
        text = tail + payload
        self.query_tail = text[-4:]
        position = 0
        while True:
            found = [(text.find(query, position), query, reply) for query, reply in QUERIES]
            found = [item for item in found if item[0] >= 0]
            if not found:
                break
            index, query, reply = min(found, key=lambda item: item[0])
            position = index + len(query)
            if position > len(tail):
                self.status_queries += 1
                if not self.silent:
                    self.replies.extend(reply)
        self.deliver_replies()

    def deliver_replies(self):
        while self.pending_in and self.replies:
            urb = self.pending_in.pop(0)
            frame = self.replies.pop(0)
            if len(frame) > urb.length:
                self.replies.insert(0, frame[urb.length:])
                frame = frame[: urb.length]
            urb.buffer.update(0, frame)
            urb.finish(0, len(frame))
            self.completed.append(urb)

    def control(self, client, urb):
        setup = bytes(urb.buffer.retrieve())[:8]
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        reply = None
        if request_type == 0x80 and request == 6:  # GET_DESCRIPTOR
            kind, number = value >> 8, value & 0xFF
            if kind == 1:
                reply = DEVICE_DESCRIPTOR
            elif kind == 2 and number == 0:
                reply = CONFIG_DESCRIPTOR
            elif kind == 3:
                reply = self.string_descriptor(number)
        elif request_type == 0xA1 and request in (0, 1):  # printer class: GET_DEVICE_ID, GET_PORT_STATUS
            if not self.interface_usable(client):
                return (-1, errno.EBUSY)
            if request == 0:
                self.device_id_requests += 1
                text = DEVICE_ID_TEXT.encode("ascii")
                reply = struct.pack(">H", len(text) + 2) + text
            else:
                reply = bytes([self.port_status])
        elif request_type == 0x21 and request == 2:  # SOFT_RESET
            reply = b""
        if reply is None:
            urb.finish(-errno.EPIPE, 0)
        else:
            reply = reply[:length]
            if reply:
                urb.buffer.update(8, reply)
            urb.finish(0, len(reply))
        self.completed.append(urb)
        return (0, 0)

    def string_descriptor(self, number):
        if number == 0:
            return bytes([4, 3, 0x09, 0x04])
        strings = {1: MANUFACTURER, 2: PRODUCT, 3: self.serial}
        if number not in strings:
            return None
        encoded = strings[number].encode("utf-16-le")
        return bytes([2 + len(encoded), 3]) + encoded


def main():
    record_dir = tempfile.mkdtemp(prefix="lanyard-usb-records-")
    testbed = UMockdev.Testbed.new()
    if not UMockdev.in_mock_environment():
        print("ERR not running under umockdev's preload library (LD_PRELOAD=libumockdev-preload.so.0)", flush=True)
        return 1
    root = testbed.get_root_dir()
    printers = [Printer(testbed, slot, record_dir) for slot in range(2)]
    with lock:
        printers[0].plug()
    print("READY %s %s" % (root, record_dir), flush=True)

    def reset():
        for printer in printers:
            if printer.slot == 0:
                printer.plug()
            else:
                printer.unplug()
            printer.reset_modes()
            printer.clear_recording()

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        try:
            with lock:
                if command == "RESET":
                    reset()
                    answer = "OK"
                else:
                    printer = printers[int(args[0])]
                    if command == "PLUG":
                        printer.plug()
                    elif command == "UNPLUG":
                        printer.unplug()
                    elif command == "UNPLUG_AFTER":
                        printer.unplug_after = int(args[1])
                    elif command == "BLOCK_AFTER":
                        printer.block_after = int(args[1])
                    elif command == "UNBLOCK":
                        printer.unblock()
                    elif command == "SILENT":
                        printer.silent = args[1] == "1"
                    elif command == "BIND":
                        printer.driver = "usblp"
                    elif command == "PORT_STATUS":
                        printer.port_status = int(args[1]) & 0xFF
                    elif command != "STATE":
                        raise ValueError("unknown command")
                    answer = "OK " + printer.state()
        except (IndexError, ValueError) as error:
            answer = "ERR %s: %s" % (line.strip(), error)
        print(answer, flush=True)

    with lock:
        for printer in printers:
            printer.unplug()
    shutil.rmtree(record_dir, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
