import Agent
import Badges
import Foundation
import LanyardSupport
import Logging
import Printers
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// CUPS's reference IPP Everywhere printer (`ippeveprinter`, Debian's cups-ipp-utils) on a
/// loopback port, spooling into a directory of its own.
///
/// What it does, as measured: it refuses to start without a reachable D-Bus system bus (its
/// DNS-SD registration goes through Avahi, even with `-r off`), so a private bus daemon is started
/// beside it and named in DBUS_SYSTEM_BUS_ADDRESS; with `-n 127.0.0.1` it fails to open its IPv6
/// listener, so it is named `localhost`. Without `-c` it "prints" a job by sleeping a random 5 to
/// 15 seconds (a job took 13 s here), too long for a test; with `-c COMMAND` it runs the command
/// on the spooled file and completes the job when the command exits 0. Here the command sleeps
/// half a second, so a job is seen pending or processing, then completed. `-k` keeps the spooled
/// file, named `<job-id>-<job-name>.<ext>`.
final class IPPEvePrinter: Sendable {
    static let executable = "/usr/sbin/ippeveprinter"
    static let busDaemon = "/usr/bin/dbus-daemon"

    let port: Int
    let directory: URL
    let name: String
    private let printer: Process
    private let bus: Process

    var uri: String { "ipp://127.0.0.1:\(port)/ipp/print" }
    var spool: URL { directory.appending(path: "spool") }

    /// The file a held printer waits on: while it exists, every job stays processing.
    var hold: URL { directory.appending(path: "hold") }

    /// `held`: jobs stay processing until the test removes `hold`, so what the agent does while
    /// the printer has not finished is seen without reading a clock.
    init(name: String = "Lanyard Office", held: Bool = false) throws {
        self.name = name
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-ipp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appending(path: "spool"), withIntermediateDirectories: true)
        let command = directory.appending(path: "print.sh")
        let hold = directory.appending(path: "hold")
        if held { _ = FileManager.default.createFile(atPath: hold.path, contents: nil) }
        let wait = held ? "while [ -e '\(hold.path)' ]; do sleep 0.05; done" : "sleep 0.5"
        try Data("#!/bin/sh\n\(wait)\n".utf8).write(to: command)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: command.path)

        let socket = directory.appending(path: "system_bus_socket").path
        bus = Process()
        bus.executableURL = URL(filePath: Self.busDaemon)
        bus.arguments = ["--session", "--nofork", "--nopidfile", "--address=unix:path=\(socket)"]
        bus.standardOutput = FileHandle.nullDevice
        bus.standardError = FileHandle.nullDevice
        try bus.run()
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) { usleep(20_000) }

        port = try LoopbackPort.free()
        printer = Process()
        printer.executableURL = URL(filePath: Self.executable)
        printer.arguments = [
            "-r", "off", "-n", "localhost", "-p", String(port), "-d", directory.appending(path: "spool").path, "-k", "-c", command.path,
            "-f", "application/pdf", "-l", "Hall B", "-v", name,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=\(socket)"
        printer.environment = environment
        let log = directory.appending(path: "ippeveprinter.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        printer.standardOutput = try FileHandle(forWritingTo: log)
        printer.standardError = try FileHandle(forWritingTo: log)
        try printer.run()
        for _ in 0..<250 {
            if LoopbackPort.accepts(port) { return }
            if !printer.isRunning { break }
            usleep(20_000)
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        stop()
        throw LoopbackPort.Failure(description: "ippeveprinter did not listen on port \(port): \(output)")
    }

    /// The spooled files of job `id`.
    func spooledFiles(job id: Int32) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: spool, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("\(id)-") && $0.pathExtension == "pdf" }
    }

    /// SIGKILL: the printer keeps nothing that needs a clean exit, and it does not act on a
    /// SIGTERM sent from a test process (whose threads block the signal it inherits).
    func stop() {
        for process in [printer, bus] where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Loopback ports for the printers, and for the servers that misbehave on purpose.
enum LoopbackPort {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = address(port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A socket bound to a port the system chose, listening when `listening`; the caller closes it.
    static func bound(listening: Bool) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = address(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, !listening || listen(fd, 8) == 0 else {
            close(fd)
            throw Failure(description: "could not bind a loopback port")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port nothing listens on (bound a moment, then released).
    static func free() throws -> Int {
        let (fd, port) = try bound(listening: false)
        close(fd)
        return port
    }
}

/// An HTTP server that takes one request and then misbehaves: it answers `reply` and closes,
/// or (with nil) keeps the connection open and silent until it is stopped.
private final class MisbehavingServer: Sendable {
    let port: Int
    private let listener: Int32

    init(reply: [UInt8]?) throws {
        (listener, port) = try LoopbackPort.bound(listening: true)
        let listener = listener
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            // The whole request (head and Content-Length bytes of body) before answering: a reply
            // sent while the client still writes would reset its connection instead.
            var buffer = [UInt8](repeating: 0, count: 65536)
            var request: [UInt8] = []
            while !Self.isComplete(request) {
                let got = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if got <= 0 { break }
                request += buffer[0..<got]
            }
            if let reply {
                _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            } else {
                // Silent until the listener is shut down: recv returns when the peer gives up.
                _ = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            }
        }
    }

    var uri: String { "ipp://127.0.0.1:\(port)/ipp/print" }

    /// Whether `bytes` hold a request head and as much body as its Content-Length says.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0...max(0, bytes.count - 4)).first(where: { bytes.count >= 4 && Array(bytes[$0..<$0 + 4]) == separator }) else {
            return false
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return bytes.count >= end + 4 + length
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

@Suite(.timeLimit(.minutes(1))) struct IPPClientTests {
    /// The badge the agent would send: the standard template rendered as PDF/A-2b.
    static func badgePDF() throws -> [UInt8] {
        let renderer = try BadgeRenderer(
            bundle: try TemplateBundle.load(directory: Repository.root.appending(path: "Templates/standard")), dpi: 300,
            logger: Logger(label: "test"))
        return try renderer.renderPDFDocument(fields: ["first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines"]).bytes
    }

    /// `make test` installs cups-ipp-utils; a machine without it fails here rather than skipping
    /// the only test of the client against a real printer.
    static func startPrinter(held: Bool = false) throws -> IPPEvePrinter {
        try #require(
            FileManager.default.isExecutableFile(atPath: IPPEvePrinter.executable),
            "ippeveprinter is missing: install Debian's cups-ipp-utils (make test does)")
        try #require(
            FileManager.default.isExecutableFile(atPath: IPPEvePrinter.busDaemon),
            "dbus-daemon is missing: install Debian's dbus-daemon (make test does); ippeveprinter needs a bus to start")
        return try IPPEvePrinter(held: held)
    }

    @Test func thePrinterIsIdleAcceptsJobsAndListsPDF() async throws {
        let printer = try Self.startPrinter()
        let client = try IPPClient(printerURI: printer.uri)
        let description = try await client.printerAttributes()
        #expect(description.state == .idle)
        #expect(description.stateReasons == ["none"])
        #expect(description.isAcceptingJobs)
        #expect(description.documentFormats.contains("application/pdf"))
        #expect(description.name == printer.name)
        #expect(description.location == "Hall B")
        #expect(description.makeAndModel?.isEmpty == false)

        // The whole answer, collections such as media-col-database included, decodes.
        let everything = try await client.printerAttributes(requested: ["all", "media-col-database"])
        let database = try #require(everything.attributes["media-col-database"])
        #expect(database.values.count > 1)
        guard case .collection(let members) = try #require(database.value) else {
            Issue.record("media-col-database is not a collection: \(database)")
            return
        }
        #expect(members.contains { $0.name == "media-size" })
        #expect(everything.attributes.attributes.count > 50)
    }

    /// A badge PDF/A goes to the printer, is followed until completed, lands in the spool byte for
    /// byte, and can be found again by its job-name.
    @Test func aBadgeIsPrintedFollowedAndFoundByName() async throws {
        let printer = try Self.startPrinter()
        let client = try IPPClient(printerURI: printer.uri)
        let badge = try Self.badgePDF()
        #expect(badge.starts(with: Array("%PDF-".utf8)))
        let jobName = "lanyard-\(UUID().uuidString.lowercased())"

        let created = try await client.printJob(document: badge, format: "application/pdf", jobName: jobName, userName: "lanyard")
        #expect(created.id > 0)
        #expect(created.uri?.hasSuffix("/\(created.id)") == true)
        #expect(!created.isTerminal)

        var states = [created.state]
        let started = ContinuousClock.now
        var status = created
        while !status.isTerminal, ContinuousClock.now - started < .seconds(10) {
            try await Task.sleep(for: .milliseconds(100))
            status = try await client.jobStatus(id: created.id)
            if states.last != status.state { states.append(status.state) }
        }
        #expect(status.state == .completed, "states seen: \(states)")
        #expect(status.id == created.id)
        #expect(status.name == jobName)
        #expect(status.stateReasons.contains("job-completed-successfully"), "\(status.stateReasons)")
        #expect(Set(states).isSubset(of: [.pending, .processing, .completed]), "states seen: \(states)")

        let files = try printer.spooledFiles(job: created.id)
        #expect(files.count == 1, "\(files)")
        if let file = files.first { #expect(Array(try Data(contentsOf: file)) == badge) }

        let found = try await client.jobs(named: jobName)
        #expect(found.map(\.id) == [created.id])
        #expect(found.first?.state == .completed)
        #expect(try await client.jobs(named: "lanyard-never-sent").isEmpty)
    }

    @Test func aFormatThePrinterDoesNotTakeIsRefusedWithItsStatus() async throws {
        let printer = try Self.startPrinter()
        let client = try IPPClient(printerURI: printer.uri)
        let jobName = "lanyard-refused"
        let outcome = await Result { () async throws(IPPError) in
            try await client.printJob(document: Array("Ada Lovelace\n".utf8), format: "text/plain", jobName: jobName, userName: "lanyard")
        }
        guard case .failure(let error) = outcome else {
            Issue.record("a text/plain job was accepted: \(outcome)")
            return
        }
        #expect(error.code == .status)
        // RFC 8011 names client-error-document-format-not-supported for this; ippeveprinter (CUPS
        // 2.4) answers client-error-attributes-or-values-not-supported and says why in words.
        #expect(error.ippStatus?.status == .clientErrorAttributesOrValuesNotSupported, "\(error)")
        #expect(error.ippStatus?.statusMessage?.contains("document-format") == true, "\(error)")
        #expect(error.requestMayHaveArrived)
        #expect(try await client.jobs(named: jobName).isEmpty, "a refused Print-Job creates no job")
    }

    @Test func aPrinterThatIsNotThereIsNeverReached() async throws {
        let client = try IPPClient(printerURI: "ipp://127.0.0.1:\(try LoopbackPort.free())/ipp/print")
        let attributes = await Result { () async throws(IPPError) in try await client.printerAttributes(timeout: .seconds(5)) }
        let job = await Result { () async throws(IPPError) in
            try await client.printJob(document: [0x25], format: "application/pdf", jobName: "j", userName: "u", timeout: .seconds(5))
        }
        for outcome in [attributes.map { _ in () }, job.map { _ in () }] {
            guard case .failure(let error) = outcome else {
                Issue.record("a closed port answered")
                continue
            }
            #expect(error.code == .unreachable, "\(error)")
            #expect(!error.requestMayHaveArrived)
        }
    }

    /// After the request was sent, a dropped connection, a silence past the deadline and a
    /// garbled answer all leave open whether the printer acted on it.
    @Test func failuresAfterSendingMayHaveArrived() async throws {
        let dropped = try MisbehavingServer(reply: [])
        let silent = try MisbehavingServer(reply: nil)
        let garbled = try MisbehavingServer(
            reply: Array("HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 5\r\nConnection: close\r\n\r\n".utf8) + [
                2, 0, 0, 0, 0,
            ])
        let wrongHTTP = try MisbehavingServer(
            reply: Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        let cases: [(MisbehavingServer, IPPErrorCode, String)] = [
            (dropped, .noAnswer, "after the request was sent"), (silent, .noAnswer, "did not answer within"),
            (garbled, .malformed, "request-id"), (wrongHTTP, .noAnswer, "HTTP 404"),
        ]
        for (server, code, words) in cases {
            let client = try IPPClient(printerURI: server.uri)
            let outcome = await Result { () async throws(IPPError) in
                try await client.printJob(document: [0x25], format: "application/pdf", jobName: "j", userName: "u", timeout: .seconds(1))
            }
            guard case .failure(let error) = outcome else {
                Issue.record("\(server.uri) gave a job")
                continue
            }
            #expect(error.code == code, "\(error)")
            #expect(error.message.contains(words), "\(error)")
            #expect(error.requestMayHaveArrived)
        }
    }

    @Test func printerURIsMapToHTTPEndpoints() throws {
        #expect(try IPPClient(printerURI: "ipp://printer.local/ipp/print").endpoint == "http://printer.local:631/ipp/print")
        #expect(try IPPClient(printerURI: "IPPS://10.0.0.5:8443/ipp/print").endpoint == "https://10.0.0.5:8443/ipp/print")
        #expect(try IPPClient(printerURI: "ipps://[fd00::5]/ipp/print").endpoint == "https://[fd00::5]:631/ipp/print")
        #expect(try IPPClient(printerURI: "ipp://printer").endpoint == "http://printer:631/")
        for bad in ["http://printer/ipp/print", "ipp:///ipp/print", "printer:631", "ipp://printer/ipp?x=1"] {
            #expect(throws: IPPError.self, "\(bad)") { try IPPClient(printerURI: bad) }
        }
    }
}

extension Result where Failure == IPPError {
    /// The outcome of an IPP call as a value, to switch on without awaiting in a `catch`.
    init(catching body: () async throws(IPPError) -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
