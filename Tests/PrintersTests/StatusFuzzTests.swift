import LanyardSupport
import Printers
import Testing

/// Random and mutated replies: every parser must return a status or a structured error, with
/// offsets inside the reply, and finish. A trap or a hang fails the whole test run.
@Suite("Status parsers on random bytes")
struct StatusFuzzTests {
    /// Bytes that matter to the formats, so random input reaches deep into the parsers.
    static let alphabet: [UInt8] = [0x02, 0x03, 0x0D, 0x0A, 0x00, 0x20, 0x09] + Array("0123456789,,,:;:;ABCDEFGPLSQqZTVabefx".utf8)

    static func randomReply(_ generator: inout SplitMix64) -> [UInt8] {
        let length = Int.random(in: 0...200, using: &generator)
        let structured = Bool.random(using: &generator)
        return (0..<length).map { _ in
            structured ? alphabet.randomElement(using: &generator) ?? 0 : UInt8.random(in: 0...255, using: &generator)
        }
    }

    /// One random edit: flip a byte, delete a run, insert bytes or cut the end.
    static func mutate(_ reply: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = reply
        guard !bytes.isEmpty else { return bytes }
        let position = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: bytes[position] = alphabet.randomElement(using: &generator) ?? 0
        case 1: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...4, using: &generator)))
        case 2:
            bytes.insert(
                contentsOf: (0..<Int.random(in: 1...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0 },
                at: position)
        default: bytes.removeSubrange(position...)
        }
        return bytes
    }

    /// Parses with every parser; returns how many succeeded and how many failed.
    static func exercise(_ reply: [UInt8]) -> (successes: Int, failures: Int) {
        var successes = 0, failures = 0
        func check<T>(_ body: () throws(StatusParseError) -> T, status: (T) -> PrinterStatus?) {
            do {
                let value = try body()
                if let printer = status(value) {
                    #expect(!printer.conditions.isEmpty)
                }
                successes += 1
            } catch {
                if let offset = error.offset { #expect(offset >= 0 && offset <= max(reply.count, StatusQuery.zplHostStatus.maxReplyBytes)) }
                #expect(!error.message.isEmpty)
                failures += 1
            }
        }
        check({ () throws(StatusParseError) in try HostStatus.parse(reply) }, status: { $0.printerStatus })
        check({ () throws(StatusParseError) in try ExtendedStatus.parse(reply) }, status: { $0.printerStatus })
        check({ () throws(StatusParseError) in try PrinterIdentification.parse(reply) }, status: { _ in nil })
        check({ () throws(StatusParseError) in try EPLErrorReport.parse(reply) }, status: { $0.printerStatus })
        check({ () throws(StatusParseError) in try EPLConfiguration.parse(reply) }, status: { _ in nil })
        check({ () throws(StatusParseError) in try USBPortStatus.parse(reply) }, status: { $0.printerStatus })
        check({ () throws(StatusParseError) in try DeviceID.parse(reply) }, status: { _ in nil })
        for query in StatusQuery.allCases { _ = query.isComplete(reply) }
        let reading = StatusPoll(language: .zpl).merge([.zplHostStatus: reply, .zplExtendedStatus: reply])
        #expect(!reading.status.conditions.isEmpty)
        #expect(reading.answered.count + reading.problems.count == 2)
        return (successes, failures)
    }

    @Test func randomBytes() {
        var generator = SplitMix64(seed: 0x5EED_0001)
        var totals = (successes: 0, failures: 0)
        for _ in 0..<4000 {
            let result = Self.exercise(Self.randomReply(&generator))
            totals.successes += result.successes
            totals.failures += result.failures
        }
        #expect(totals.successes + totals.failures == 4000 * 7)
        #expect(totals.failures > 0)
        // USB port bytes of length 1 and some EPL/device-ID texts do parse: both paths are taken.
        #expect(totals.successes > 0)
    }

    @Test func mutatedValidReplies() throws {
        let seeds: [[UInt8]] = [
            Replies.hsReady,
            Replies.extendedStatus(errors: "0000000B", warnings: "00000002"),
            Replies.frame("ZTC ZD421-300dpi ZPL,V85.20.19,300,131072"),
            Array("07P123L12345,11\r\n".utf8),
            Array(StatusEPLTests.dump.utf8),
            Replies.deviceID(StatusUSBTests.zebraExample),
        ]
        var generator = SplitMix64(seed: 0x5EED_0002)
        var totals = (successes: 0, failures: 0)
        for round in 0..<3000 {
            var reply = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...3, using: &generator) { reply = Self.mutate(reply, &generator) }
            let result = Self.exercise(reply)
            totals.successes += result.successes
            totals.failures += result.failures
        }
        #expect(totals.successes > 1000)
        #expect(totals.failures > 1000)
    }

    @Test func hugeRepliesCostBoundedWork() {
        var generator = SplitMix64(seed: 0x5EED_0003)
        let huge = (0..<1_000_000).map { _ in Self.alphabet.randomElement(using: &generator) ?? 0 }
        for query in StatusQuery.allCases { _ = query.isComplete(huge) }
        let result = Self.exercise(huge)
        #expect(result.successes + result.failures == 7)
    }
}
