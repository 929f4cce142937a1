import Dispatch
import Foundation
import Glibc
import LanyardSupport
import Printers
import Synchronization
import Testing

@Suite("Device file transport")
struct DeviceFileTests {
    @Test func regularFileReceivesExactBytes() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("capture.prn", "")
        let first = try SimulatorSamples.encode(Fixtures.badgeLike(seed: 1), as: .epl).bytes
        let second = Array("~HS".utf8)
        let connection = try await DeviceFileConnection.open(path: path)
        #expect(connection.address == .file(path: path) && !connection.canRead)
        try await connection.write(first, timeout: .seconds(5))
        try await connection.write(second, timeout: .seconds(5))
        await connection.close()
        await connection.close()
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == first + second)
        let error = await #expect(throws: TransportError.self) { try await connection.write(first, timeout: .seconds(1)) }
        #expect(error?.code == .disconnected)
    }

    @Test func fifoReaderGetsExactBytes() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/printer.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        let reader = try FIFOReader(path: path)
        let connection = try await DeviceFileConnection.open(path: path)
        // Larger than a pipe's buffer, so the writer must wait for the reader in poll.
        var generator = SplitMix64(seed: 17)
        let payload = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for piece in SimulatorSamples.chunks(payload, maxChunk: 70_000, seed: 3) {
            try await connection.write(piece, timeout: .seconds(10))
        }
        await connection.close()
        #expect(await reader.finish() == payload)
    }

    @Test func fifoNobodyReadsTimesOutWithTheCountWritten() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/stuck.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        // A reader that keeps the FIFO open but never reads: the pipe fills, then writes wait.
        let idle = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(idle >= 0)
        defer { close(idle) }
        let connection = try await DeviceFileConnection.open(path: path)
        let payload = [UInt8](repeating: 0x55, count: 4 << 20)
        let error = await #expect(throws: TransportError.self) { try await connection.write(payload, timeout: .milliseconds(300)) }
        #expect(error?.code == .timeout)
        let written = try #require(error?.bytesWritten)
        #expect(written > 0 && written < payload.count)
        await connection.close()
    }

    @Test func fifoWhoseReaderLeavesIsDisconnectedWithoutSIGPIPE() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/gone.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        let connection = try await DeviceFileConnection.open(path: path)
        close(reader)
        // With the reader gone the write raises SIGPIPE, which would end this test process.
        let error = await #expect(throws: TransportError.self) { try await connection.write(Array("^XA^XZ".utf8), timeout: .seconds(1)) }
        #expect(error?.code == .disconnected)
        #expect(error?.cause?.contains("EPIPE") == true)
        await connection.close()
    }

    @Test func missingPathsAndFIFOsWithoutReaderAreNotFound() async throws {
        let directory = try TemporaryDirectory()
        let missing = await #expect(throws: TransportError.self) { try await DeviceFileConnection.open(path: directory.path + "/lp9") }
        #expect(missing?.code == .notFound)
        #expect(missing?.cause?.contains("ENOENT") == true)
        let path = directory.path + "/no-reader.fifo"
        try #require(mkfifo(path, 0o600) == 0)
        let noReader = await #expect(throws: TransportError.self) { try await DeviceFileConnection.open(path: path) }
        #expect(noReader?.code == .notFound)
        let isDirectory = await #expect(throws: TransportError.self) { try await DeviceFileConnection.open(path: directory.path) }
        #expect(isDirectory?.code == .ioFailed)
    }

    @Test func unwritableNodesNameTheFix() async throws {
        // A read-only sysctl refuses writers with EACCES, even root: a stand-in for a printer
        // node this user may not open.
        let path = "/proc/sys/kernel/osrelease"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let error = await #expect(throws: TransportError.self) { try await DeviceFileConnection.open(path: path) }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("lp") == true && error?.message.contains("udev") == true)
        #expect(error?.cause?.contains("EACCES") == true)
    }

    @Test func readingIsUnsupported() async throws {
        let directory = try TemporaryDirectory()
        let connection = try await DeviceFileConnection.open(path: try directory.write("out.prn", ""))
        let error = await #expect(throws: TransportError.self) { try await connection.read(timeout: .seconds(1)) { _ in true } }
        #expect(error?.code == .unsupported)
        await connection.close()
    }
}

/// Drains a FIFO on a thread of its own until the writer closes it.
final class FIFOReader: Sendable {
    private let descriptor: Int32
    private let done = DispatchSemaphore(value: 0)
    private let received = ReceivedBytes()

    init(path: String) throws {
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        let descriptor = descriptor
        let received = received
        let done = done
        Thread {
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            var sawWriter = false
            while true {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, 50)
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    sawWriter = true
                    received.append(buffer[0..<count])
                } else if count == 0, sawWriter {
                    break
                }
            }
            close(descriptor)
            done.signal()
        }.start()
    }

    func finish() async -> [UInt8] {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.done.wait()
                continuation.resume()
            }
        }
        return received.bytes
    }
}

/// Bytes collected by the reader thread, read by the test after the thread has finished.
final class ReceivedBytes: Sendable {
    private let storage = Mutex<[UInt8]>([])
    func append(_ bytes: ArraySlice<UInt8>) { storage.withLock { $0 += bytes } }
    var bytes: [UInt8] { storage.withLock { $0 } }
}
