import LanyardSupport
import Printers
import Testing

@Suite("Status reply framing")
struct StatusFramingTests {
    @Test func queriesAreTheDocumentedBytes() {
        #expect(StatusQuery.zplHostStatus.bytes == Array("~HS".utf8))
        #expect(StatusQuery.zplExtendedStatus.bytes == Array("~HQES".utf8))
        #expect(StatusQuery.zplHostIdentification.bytes == Array("~HI".utf8))
        #expect(StatusQuery.eplErrorReport.bytes == Array("^ee\n".utf8))
        #expect(StatusQuery.eplConfiguration.bytes == Array("\nUQ\n".utf8))
        #expect(StatusQuery.allCases.filter { $0.language == .zpl }.count == 3)
        #expect(StatusQuery.allCases.filter { $0.language == .epl } == [.eplErrorReport, .eplConfiguration])
    }

    @Test func hostStatusIsCompleteAfterTheThirdFrameOnly() {
        let reply = Replies.hsReady
        let thirdETX = reply.indices.filter { reply[$0] == Replies.etx }[2]
        for length in 0...reply.count {
            let prefix = Array(reply.prefix(length))
            #expect(StatusQuery.zplHostStatus.isComplete(prefix) == (length > thirdETX), "length \(length)")
        }
    }

    @Test func singleFrameRepliesAreCompleteAtTheirETX() {
        let hi = Replies.frame("ZD421-203dpi,V84.20.18Z,8,8176KB")
        for query in [StatusQuery.zplHostIdentification, .zplExtendedStatus] {
            #expect(!query.isComplete(Array(hi.dropLast(3))))
            #expect(query.isComplete(Array(hi.dropLast(2))))
        }
        #expect(!StatusQuery.zplHostStatus.isComplete(hi))
    }

    @Test func bytesBetweenFramesAreSkipped() throws {
        let noisy =
            Array("\r\n\u{3}junk".utf8) + Replies.frame(Replies.hsReadyStrings[0]) + Array("xx\u{3}".utf8)
            + Replies.frame(Replies.hsReadyStrings[1]) + [0x00, 0x0A] + Replies.frame(Replies.hsReadyStrings[2])
        #expect(StatusQuery.zplHostStatus.isComplete(noisy))
        let status = try HostStatus.parse(noisy)
        #expect(status.labelLengthDots == 1218)
        #expect(status.password == "1234")
    }

    @Test func aSecondSTXRestartsTheFrame() {
        let bytes = Array("\u{2}cut off\u{2}whole\u{3}".utf8)
        let scan = StatusReply.frames(in: bytes, count: 1, limit: 100)
        #expect(scan.frames == [StatusReply.Frame(payload: Array("whole".utf8), payloadOffset: 9)])
        #expect(scan.openFrameOffset == nil)
        let open = StatusReply.frames(in: Array("\u{2}abc".utf8), count: 1, limit: 100)
        #expect(open.frames.isEmpty)
        #expect(open.openFrameOffset == 0)
    }

    @Test func eplErrorReportIsCompleteAtTheEndOfItsFirstLine() {
        let query = StatusQuery.eplErrorReport
        #expect(!query.isComplete([]))
        #expect(!query.isComplete(Array("\r\n".utf8)))
        #expect(!query.isComplete(Array("\r\n07".utf8)))
        #expect(query.isComplete(Array("\r\n07\r\n".utf8)))
        #expect(query.isComplete(Array("00\n".utf8)))
    }

    @Test func configurationDumpRunsUntilTheCapOrTheTimeout() {
        let query = StatusQuery.eplConfiguration
        #expect(!query.isComplete(Array("UKQ1935HLU V4.29\r\nS4 D08 R112,000 ZB UN\r\n".utf8)))
        #expect(query.isComplete([UInt8](repeating: 0x41, count: query.maxReplyBytes)))
    }

    @Test(arguments: StatusQuery.allCases)
    func garbageStopsGrowingAtTheCap(query: StatusQuery) {
        let garbage = [UInt8](repeating: 0x02, count: query.maxReplyBytes - 1)
        #expect(!query.isComplete(garbage))
        #expect(query.isComplete(garbage + [0x02]))
        #expect(query.completion(garbage + [0x02]))
        #expect(query.maxReplyBytes >= 512)
    }

    @Test func aCappedReplyWithoutFramesIsTooLong() {
        let garbage = [UInt8](repeating: 0x41, count: StatusQuery.zplHostStatus.maxReplyBytes + 10)
        #expect(parseError { try HostStatus.parse(garbage) }?.code == .tooLong)
    }

    @Test func completionClosureAgreesWithIsComplete() {
        let reply = Replies.hsReady
        let completion = StatusQuery.zplHostStatus.completion
        for length in [0, 10, reply.count - 3, reply.count] {
            let prefix = Array(reply.prefix(length))
            #expect(completion(prefix) == StatusQuery.zplHostStatus.isComplete(prefix))
        }
    }
}
