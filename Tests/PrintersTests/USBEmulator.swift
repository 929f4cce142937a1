import Foundation
import Synchronization
import Testing

/// The emulated USB printer: `Tests/Tools/usb_printer_emulator.py` keeps a umockdev testbed with
/// Zebra ZD621-style printers and answers the usbfs ioctls that libusb makes, so the tests drive
/// the real libusb code path. It needs this process to run under umockdev's preload library
/// (`umockdev-wrapper`, as `make test` does) and `/usr/bin/python3` with GI and UMockdev.
///
/// One emulator serves the whole test process: umockdev finds its testbed through the process-wide
/// `UMOCKDEV_DIR`, and libusb keeps one hotplug monitor per process.
final class USBEmulator: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let environment = ProcessInfo.processInfo.environment
    /// `make test` sets this: missing umockdev then fails the tests instead of skipping them.
    static let required = environment["LANYARD_REQUIRE_USB_EMULATION"] == "1"
    static let underPreload = environment["LD_PRELOAD"]?.contains("libumockdev-preload") == true
    /// The system interpreter: a `python3` earlier on PATH (pyenv) may lack `gi`.
    static let python = "/usr/bin/python3"
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tools/usb_printer_emulator.py")

    static var enabled: Bool { required || (underPreload && pythonHasUMockdev) }
    static let skipReason: Comment =
        "needs umockdev: run under umockdev-wrapper (make test does) with umockdev, gir1.2-umockdev-1.0 and python3-gi installed; LANYARD_REQUIRE_USB_EMULATION=1 fails instead of skipping"

    static let pythonHasUMockdev: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import gi; gi.require_version('UMockdev', '1.0'); from gi.repository import UMockdev"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Started on first use.
    private static let started: Result<USBEmulator, Failure> = {
        do { return .success(try USBEmulator()) } catch let failure as Failure { return .failure(failure) } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// The emulator, reset to one printer (slot 0) plugged in with nothing recorded.
    static func fresh() throws -> USBEmulator {
        guard underPreload else {
            throw Failure(description: "not running under umockdev's preload library (LD_PRELOAD); run the USB tests with umockdev-wrapper")
        }
        let emulator = try started.get()
        _ = try emulator.command("RESET")
        return emulator
    }

    /// Slot 0's serial number, and slot 1's (the second printer some tests plug in).
    static let serials = ["D8N213901234", "D8N213901235"]
    static let deviceIDText = "MANUFACTURER:Zebra Technologies ;COMMAND SET:ZPL;MODEL:ZTC ZD621-203dpi ZPL;CLASS:PRINTER;OPTIONS:XML;"
    /// The device ID as GET_DEVICE_ID returns it: big-endian length (including itself), then the text.
    static var deviceID: [UInt8] {
        let text = Array(deviceIDText.utf8)
        let length = text.count + 2
        return [UInt8(length >> 8), UInt8(length & 0xFF)] + text
    }
    /// The emulator's canned `~HS` answer: three STX…ETX CR LF frames.
    static let hostStatusReply: [UInt8] = Array(
        "\u{02}030,0,0,1218,000,0,0,0,000,0,0,0\u{03}\r\n\u{02}001,0,0,0,0,2,6,0,00000000,1,000\u{03}\r\n\u{02}1234,0\u{03}\r\n".utf8)

    let root: String
    let recordDirectory: String
    private let process: Process
    private let input: FileHandle
    private let output: FileHandle
    /// Commands and their answers are one exchange at a time.
    private let lock = Mutex(())

    private init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script.path]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        let ready = try Self.readLine(output)
        let words = ready.split(separator: " ").map(String.init)
        guard words.count == 3, words[0] == "READY" else {
            throw Failure(description: "the USB printer emulator did not start: \(ready)")
        }
        root = words[1]
        recordDirectory = words[2]
        // umockdev's preload library reads this on every call; libusb must see it before libusb_init.
        setenv("UMOCKDEV_DIR", root, 1)
    }

    /// Sends one command line; returns the answer after `OK`.
    @discardableResult
    func command(_ line: String) throws -> String {
        try lock.withLock { _ in
            try input.write(contentsOf: Data((line + "\n").utf8))
            let answer = try Self.readLine(output)
            guard answer.hasPrefix("OK") else { throw Failure(description: "emulator refused \(line): \(answer)") }
            return String(answer.dropFirst(2)).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The printer's facts: `plugged`, `driver`, `claimed`, `received`, `detaches`, `attaches`,
    /// `status_queries`, `device_id_requests`, `serial`.
    func state(slot: Int = 0) throws -> [String: String] {
        var facts: [String: String] = [:]
        for pair in try command("STATE \(slot)").split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { facts[parts[0]] = parts[1] }
        }
        return facts
    }

    /// Every bulk OUT byte the printer in `slot` received since the last reset.
    func recorded(slot: Int = 0) throws -> [UInt8] {
        try Array(Data(contentsOf: URL(fileURLWithPath: recordDirectory).appendingPathComponent("slot\(slot).out")))
    }

    private static func readLine(_ handle: FileHandle) throws -> String {
        var bytes: [UInt8] = []
        while true {
            guard let chunk = try handle.read(upToCount: 1), let byte = chunk.first else {
                throw Failure(description: "the USB printer emulator exited (its stderr is above)")
            }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Collects a stream's elements in the background so a test can wait for the next one with a
/// bound instead of hanging on a stream that never yields.
final class EventCollector<Element: Sendable>: Sendable {
    private final class Received: Sendable {
        let elements = Mutex<[Element]>([])
    }

    private let received: Received
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<Element>) {
        let received = Received()
        self.received = received
        task = Task {
            for await element in stream { received.elements.withLock { $0.append(element) } }
        }
    }

    deinit { task.cancel() }

    /// Waits (up to `limit`, a guard against hangs, not a measurement) until `count` elements
    /// arrived; returns everything received so far.
    func wait(for count: Int, limit: Duration = .seconds(10)) async -> [Element] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while clock.now < deadline {
            let elements = received.elements.withLock { $0 }
            if elements.count >= count { return elements }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return received.elements.withLock { $0 }
    }

    func stop() { task.cancel() }
}
