import Foundation
import LanyardSupport
import Printers
import Raster
import Testing

/// A simulator served on an ephemeral loopback port, stopped when the test ends.
final class ServedSimulator {
    let simulator: PrinterSimulator
    let server: SimulatorServer

    convenience init(_ language: PrinterLanguage, host: String = "127.0.0.1", answerWhenFaulted: Bool = false) throws {
        try self.init(SimulatorSamples.simulator(for: language, answerWhenFaulted: answerWhenFaulted), host: host)
    }

    init(_ simulator: PrinterSimulator, host: String = "127.0.0.1") throws {
        self.simulator = simulator
        server = try SimulatorServer(simulator: simulator, host: host, port: 0)
    }

    func connect(timeout: Duration = .seconds(5)) async throws -> TCPPrinterConnection {
        try await TCPPrinterConnection.connect(host: server.host, port: server.port, timeout: timeout)
    }

    /// Its address, as `--printer` takes it.
    var address: PrinterAddress {
        get throws {
            let host = server.host.contains(":") ? "[\(server.host)]" : server.host
            return try PrinterAddress(parsing: "tcp://\(host):\(server.port)")
        }
    }

    deinit { server.stop() }
}

@Suite("TCP transport and simulator server")
struct TCPTransportTests {
    @Test(arguments: SimulatorSamples.cases)
    func everyRasterComesBackOverTCP(raster: SimulatorSamples.Raster, kind: SimulatorSamples.Kind) async throws {
        let served = try ServedSimulator(kind.language)
        let connection = try await served.connect()
        #expect(served.server.port > 0)
        let job = try SimulatorSamples.encode(raster.bitmap, as: kind).bytes
        try await connection.write(job, timeout: .seconds(10))
        let labels = await served.simulator.waitForLabels(count: 1, timeout: .seconds(20))
        #expect(labels.map(\.bitmap) == [raster.bitmap])
        #expect(served.simulator.errors.isEmpty, "\(served.simulator.errors)")
        await connection.close()
    }

    @Test(arguments: SimulatorSamples.Kind.allCases)
    func tinyRandomWritesMakeTheSameRaster(kind: SimulatorSamples.Kind) async throws {
        let bitmaps = [
            Fixtures.badgeLike(seed: 5),
            Fixtures.noise(width: 90, height: 40, density: 0.5, seed: 9),
            SimulatorSamples.allBlack(width: 64, height: 30),
        ]
        let served = try ServedSimulator(kind.language)
        let connection = try await served.connect()
        for (index, bitmap) in bitmaps.enumerated() {
            let job = try SimulatorSamples.encode(bitmap, as: kind).bytes
            for piece in SimulatorSamples.chunks(job, maxChunk: index == 0 ? 257 : 13, seed: UInt64(index + 1)) {
                try await connection.write(piece, timeout: .seconds(5))
            }
        }
        let labels = await served.simulator.waitForLabels(count: bitmaps.count, timeout: .seconds(30))
        #expect(labels.map(\.bitmap) == bitmaps)
        #expect(served.simulator.errors.isEmpty)
        await connection.close()
    }

    @Test func statusRepliesForEachMode() async throws {
        let served = try ServedSimulator(.zpl, answerWhenFaulted: true)
        let connection = try await served.connect()
        let cases: [(SimulatorMode, [UInt8], String)] = [
            (.ready, SimulatorReplies.hostStatus(), "00000000"),
            (.paused, SimulatorReplies.hostStatus(paused: true), "00010000"),
            (.paperOut, SimulatorReplies.hostStatus(paperOut: true), "00000001"),
            (.headOpen, SimulatorReplies.hostStatus(headOpen: true), "00000004"),
            (.slow(bytesPerSecond: 50_000), SimulatorReplies.hostStatus(), "00000000"),
        ]
        for (mode, hostStatus, errors) in cases {
            try served.server.setMode(mode)
            try await connection.write(Array("~HS".utf8), timeout: .seconds(2))
            let reply = try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3))
            #expect(reply == hostStatus, "\(mode)")
            let fields = SimulatorReplies.hostStatusFields(reply)
            #expect(fields[0][1] == (mode == .paperOut ? "1" : "0") && fields[0][2] == (mode == .paused ? "1" : "0"))
            #expect(fields[1][2] == (mode == .headOpen ? "1" : "0"))
            try await connection.write(Array("~HQES".utf8), timeout: .seconds(2))
            #expect(
                try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(1))
                    == SimulatorReplies.extendedStatus(errors: errors))
        }
        try await connection.write(Array("~HI".utf8), timeout: .seconds(2))
        #expect(
            SimulatorReplies.frames(try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(1))) == [
                "ZD421-300dpi,V00.00.00SIM,12,8192KB"
            ])
        await connection.close()
    }

    @Test func eplStatusOverTCP() async throws {
        let served = try ServedSimulator(.epl)
        let connection = try await served.connect()
        for (mode, reply) in [(SimulatorMode.ready, "00\r\n"), (.paperOut, "07\r\n"), (.headOpen, "11\r\n"), (.paused, "12\r\n")] {
            try served.server.setMode(mode)
            try await connection.write(Array("^ee\r\n".utf8), timeout: .seconds(2))
            #expect(try await connection.read(timeout: .seconds(5), until: SimulatorReplies.lineComplete).ascii == reply)
        }
        await connection.close()
    }

    @Test func hostStatusIsSilentWhilePaperIsOut() async throws {
        let served = try ServedSimulator(.zpl)
        try served.server.setMode(.paperOut)
        let connection = try await served.connect()
        let bitmap = Fixtures.noise(width: 64, height: 16, density: 0.5, seed: 4)
        try await connection.write(try SimulatorSamples.encode(bitmap, as: .zplZ64).bytes + Array("~HS".utf8), timeout: .seconds(2))
        let silence = try await connection.read(timeout: .milliseconds(300), until: SimulatorReplies.framesComplete(3))
        #expect(silence.isEmpty)
        try await connection.write(Array("~HQES".utf8), timeout: .seconds(2))
        #expect(
            try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(1))
                == SimulatorReplies.extendedStatus(errors: "00000001"))
        // The label waited; it prints once paper is back, and ~HS answers again.
        #expect(served.simulator.printedLabels.isEmpty && served.simulator.snapshot.heldLabels == 1)
        try served.server.setMode(.ready)
        #expect(served.simulator.printedLabels.map(\.bitmap) == [bitmap])
        try await connection.write(Array("~HS".utf8), timeout: .seconds(2))
        #expect(
            try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3))
                == SimulatorReplies.hostStatus(length: 16))
        await connection.close()
    }

    @Test func droppedConnectionFailsTheClientAndPrintsNothing() async throws {
        let served = try ServedSimulator(.zpl)
        let job = try SimulatorSamples.encode(Fixtures.badgeLike(seed: 3), as: .zplACS).bytes
        try served.server.setMode(.dropConnection(afterBytes: job.count / 2))
        let connection = try await served.connect()
        do {
            try await connection.write(job, timeout: .seconds(5))
            // Everything fitted in the socket buffers before the drop: the read sees it.
            _ = try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3))
            Issue.record("the dropped connection went unnoticed")
        } catch {
            #expect(error.code == .disconnected, "\(error)")
        }
        #expect(served.simulator.printedLabels.isEmpty)
        #expect(served.simulator.snapshot.partialFormats == 0)
        await connection.close()
        // The simulator keeps serving: the same job on a new connection prints.
        try served.server.setMode(.ready)
        let retry = try await served.connect()
        try await retry.write(job, timeout: .seconds(5))
        #expect(await served.simulator.waitForLabels(count: 1, timeout: .seconds(20)).count == 1)
        await retry.close()
    }

    @Test func slowPrinterMakesALargeWriteTimeOut() async throws {
        let served = try ServedSimulator(.zpl)
        try served.server.setMode(.slow(bytesPerSecond: 20_000))
        let connection = try await served.connect()
        // More than the kernel can buffer on both ends of the loopback connection.
        let filler = [UInt8](repeating: 0x0A, count: Self.socketBufferCeiling() + 1_000_000)
        let error = await #expect(throws: TransportError.self) { try await connection.write(filler, timeout: .milliseconds(500)) }
        #expect(error?.code == .timeout)
        let written = try #require(error?.bytesWritten)
        #expect(written > 0 && written < filler.count)
        await connection.close()
        // A small job at that rate still prints, on a fresh connection.
        let bitmap = Fixtures.noise(width: 40, height: 10, density: 0.5, seed: 6)
        let small = try await served.connect()
        try await small.write(try SimulatorSamples.encode(bitmap, as: .zplHex).bytes, timeout: .seconds(10))
        #expect(await served.simulator.waitForLabels(count: 1, timeout: .seconds(20)).map(\.bitmap) == [bitmap])
        await small.close()
    }

    /// The largest send plus receive buffers TCP may grow to on this machine.
    static func socketBufferCeiling() -> Int {
        func maximum(_ file: String) -> Int {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return 8 << 20 }
            return text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }.last ?? 8 << 20
        }
        return maximum("/proc/sys/net/ipv4/tcp_wmem") + maximum("/proc/sys/net/ipv4/tcp_rmem")
    }

    @Test func refusedConnectionIsNotFound() async throws {
        let served = try ServedSimulator(.zpl)
        let port = served.server.port
        served.server.stop()
        served.server.stop()
        let error = await #expect(throws: TransportError.self) {
            try await TCPPrinterConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(2))
        }
        #expect(error?.code == .notFound)
        #expect(error?.cause?.contains("ECONNREFUSED") == true, "\(String(describing: error))")
    }

    @Test func unknownHostIsNotFound() async throws {
        let error = await #expect(throws: TransportError.self) {
            try await TCPPrinterConnection.connect(host: "printer.invalid", port: 9100, timeout: .seconds(2))
        }
        #expect(error?.code == .notFound)
    }

    @Test func ipv6LoopbackWorks() async throws {
        let served: ServedSimulator
        do {
            served = try ServedSimulator(.zpl, host: "::1")
        } catch {
            // No IPv6 on this machine: nothing to test.
            return
        }
        let connection = try await TCPPrinterConnection.connect(to: served.server.address, timeout: .seconds(2))
        #expect(connection.address.description == "tcp://[::1]:\(served.server.port)")
        try await connection.write(Array("~HS".utf8), timeout: .seconds(2))
        #expect(try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3)) == SimulatorReplies.hostStatus())
        await connection.close()
    }

    @Test func closedConnectionsRefuseWorkAndCloseTwice() async throws {
        let served = try ServedSimulator(.zpl)
        let connection = try await served.connect()
        await connection.close()
        await connection.close()
        let error = await #expect(throws: TransportError.self) { try await connection.write([0x7E], timeout: .seconds(1)) }
        #expect(error?.code == .disconnected)
        let readError = await #expect(throws: TransportError.self) { try await connection.read(timeout: .seconds(1)) { _ in false } }
        #expect(readError?.code == .disconnected)
    }

    @Test func serverShutdownEndsTheClientsConnection() async throws {
        let served = try ServedSimulator(.zpl)
        let connection = try await served.connect()
        try await connection.write(Array("~HS".utf8), timeout: .seconds(2))
        _ = try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3))
        #expect(served.server.activeConnections == 1)
        served.server.stop()
        #expect(served.server.activeConnections == 0)
        let error = await #expect(throws: TransportError.self) { try await connection.read(timeout: .seconds(5)) { _ in false } }
        #expect(error?.code == .disconnected)
        await connection.close()
    }

    /// Not a test of speed (nothing is asserted about time): prints how long a ~7.5 KB ZPL job
    /// takes from ready to last byte written, and one ~HS round trip, over loopback.
    @Test func measureLoopbackLatency() async throws {
        let served = try ServedSimulator(.zpl)
        let connection = try await served.connect()
        let job = try Self.measurementJob()
        #expect((7_000...8_000).contains(job.count), "job is \(job.count) bytes")
        let clock = ContinuousClock()
        var writes: [Duration] = []
        var polls: [Duration] = []
        var confirmed: [Duration] = []
        for run in 1...50 {
            // Job handed over until its last byte is in the socket; then wait until the
            // simulator has printed it, so every run starts with an idle printer.
            writes.append(try await clock.measure { try await connection.write(job, timeout: .seconds(5)) })
            #expect(await served.simulator.waitForLabels(count: run, timeout: .seconds(30)).count == run)
        }
        for _ in 1...50 {
            polls.append(
                try await clock.measure {
                    try await connection.write(Array("~HS".utf8), timeout: .seconds(2))
                    let reply = try await connection.read(timeout: .seconds(5), until: SimulatorReplies.framesComplete(3))
                    #expect(SimulatorReplies.frames(reply).count == 3)
                })
        }
        for _ in 1...20 {
            // Job and status query back to back: the reply comes once the simulator has decoded the job.
            confirmed.append(
                try await clock.measure {
                    try await connection.write(job + Array("~HS".utf8), timeout: .seconds(5))
                    _ = try await connection.read(timeout: .seconds(10), until: SimulatorReplies.framesComplete(3))
                })
        }
        print("measure: \(job.count)-byte ZPL job, ready to last byte written: \(Self.summary(writes))")
        print("measure: ~HS round trip, idle printer: \(Self.summary(polls))")
        print("measure: job + ~HS until the reply (includes the simulator's decoding): \(Self.summary(confirmed))")
        await connection.close()
    }

    /// A 203 dpi badge (832 dots wide): letter-like strokes plus a dithered picture area, the
    /// picture grown until the Z64 job reaches about 7.5 KB.
    static func measurementJob() throws -> [UInt8] {
        var badge = Bitmap(width: 832, height: 1218)
        badge.draw(Fixtures.badgeLike(seed: 42), atX: 0, y: 200)
        var rows = 16
        while true {
            var bitmap = badge
            bitmap.draw(Fixtures.noise(width: 256, height: rows, density: 0.2, seed: 8), atX: 40, y: 40)
            let job = try SimulatorSamples.encode(bitmap, as: .zplZ64).bytes
            if job.count >= 7_400 || rows >= 1000 { return job }
            rows += 8
        }
    }

    static func summary(_ samples: [Duration]) -> String {
        let sorted = samples.sorted()
        func milliseconds(_ value: Duration) -> String {
            let (seconds, attoseconds) = value.components
            return String(format: "%.3f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
        }
        return "median \(milliseconds(sorted[sorted.count / 2])), p90 \(milliseconds(sorted[sorted.count * 9 / 10])), "
            + "min \(milliseconds(sorted[0])), max \(milliseconds(sorted[sorted.count - 1])) over \(samples.count) runs"
    }
}
