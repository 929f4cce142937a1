import Foundation
import Printers
import Raster
import Testing

/// Measures the USB path over the emulated printer: how long from a job being ready to its last
/// byte written, and how long a status poll (`~HS` out, three frames back) takes. Numbers are
/// printed for docs/benchmarks.md, never asserted.
enum USBBenchmark {
    struct Measurement: CustomStringConvertible {
        var name: String
        var bytes: Int
        var runs: [Duration]

        var median: Duration { runs.sorted()[runs.count / 2] }
        var fastest: Duration { runs.min() ?? .zero }
        var slowest: Duration { runs.max() ?? .zero }

        var description: String {
            "\(name): \(bytes) bytes, median \(Self.milliseconds(median)) ms (min \(Self.milliseconds(fastest)), max \(Self.milliseconds(slowest)), \(runs.count) runs)"
        }

        static func milliseconds(_ duration: Duration) -> String {
            let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            return String(format: "%.2f", value)
        }
    }

    /// Times `runs` writes of `job`, each from the call to the last byte accepted.
    static func jobToLastByte(_ connection: USBPrinterConnection, job: [UInt8], runs: Int) async throws -> Measurement {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0..<runs {
            let start = clock.now
            try await connection.write(job, timeout: .seconds(10))
            times.append(start.duration(to: clock.now))
        }
        return Measurement(name: "job ready to last byte written", bytes: job.count, runs: times)
    }

    /// Times `runs` status polls: `~HS` written, the three-frame reply read.
    static func statusRoundTrip(_ connection: USBPrinterConnection, runs: Int) async throws -> Measurement {
        let clock = ContinuousClock()
        var times: [Duration] = []
        var replyBytes = 0
        for _ in 0..<runs {
            let start = clock.now
            try await connection.write(Array("~HS".utf8), timeout: .seconds(5))
            let reply = try await connection.read(timeout: .seconds(5)) { $0.filter { $0 == 0x03 }.count >= 3 }
            times.append(start.duration(to: clock.now))
            replyBytes = reply.count
        }
        return Measurement(name: "status poll round trip (~HS, 3 bytes out, \(replyBytes) back)", bytes: 3 + replyBytes, runs: times)
    }

    /// A ZD621 (300 dpi) badge job as the encoder makes it, about 7.5 KB: a 4 x 3 in badge of
    /// text strokes and a QR-like block, plus a dithered-photo-like patch that barely compresses.
    static func badgeJob() throws -> [UInt8] {
        var badge = Fixtures.badgeLike()
        badge.draw(Fixtures.noise(width: 176, height: 176, density: 0.5, seed: 5), atX: 80, y: 560)
        let profile = try Fixtures.profile("zebra-zd621d-300")
        return try LabelEncoder.encode(bitmap: badge, profile: profile).bytes
    }
}

extension USBEmulatedPrinterTests {
    @Test func benchmarkJobAndStatusPoll() async throws {
        let emulator = try USBEmulator.fresh()
        let job = try USBBenchmark.badgeJob()
        let connection = try await USBPrinterConnection.open(.usb(serial: nil))
        let write = try await USBBenchmark.jobToLastByte(connection, job: job, runs: 20)
        let poll = try await USBBenchmark.statusRoundTrip(connection, runs: 20)
        await connection.close()
        print("USB benchmark (emulated printer): \(write)")
        print("USB benchmark (emulated printer): \(poll)")
        // Every run's bytes arrived, and in order: the timings are of complete jobs.
        let received = try emulator.recorded()
        #expect(received.count == job.count * 20 + 3 * 20)
        #expect(Array(received.prefix(job.count)) == job)
        #expect(poll.bytes == 3 + USBEmulator.hostStatusReply.count)
    }
}
