import LanyardSupport
import Printers
import Testing

@Suite("Status polling")
struct StatusPollTests {
    let zpl = StatusPoll(language: .zpl)
    let epl = StatusPoll(language: .epl)

    @Test func queriesPerLanguageAndQuirk() throws {
        #expect(zpl.queries == [.zplHostStatus, .zplExtendedStatus])
        #expect(epl.queries == [.eplErrorReport])
        let godex = try Fixtures.profile("godex-g500-203")
        #expect(godex.has(.noExtendedStatus))
        #expect(StatusPoll(language: .zpl, profile: godex).queries == [.zplHostStatus])
        #expect(
            StatusPoll(language: .zpl, profile: try Fixtures.profile("zebra-zd421d-203")).queries == [.zplHostStatus, .zplExtendedStatus])
        #expect(zpl.identificationQuery == .zplHostIdentification)
        #expect(epl.identificationQuery == .eplConfiguration)
    }

    @Test func bothRepliesReady() {
        let reading = zpl.merge([.zplHostStatus: Replies.hsReady, .zplExtendedStatus: Replies.hqesReady])
        #expect(reading.status.isReady)
        #expect(reading.status.formatsInBuffer == 0)
        #expect(reading.answered == [.zplHostStatus, .zplExtendedStatus])
        #expect(reading.problems.isEmpty)
    }

    /// The documented case: in media out the printer ignores ~HS, and ~HQES says why.
    @Test func silentHostStatusThenExtendedStatusDecides() throws {
        let reading = zpl.merge([.zplHostStatus: [], .zplExtendedStatus: Replies.extendedStatus(errors: "00000001", warnings: "00000000")])
        #expect(reading.status.conditions == [.paperOut])
        #expect(reading.status.errors == ["media out"])
        #expect(reading.answered == [.zplExtendedStatus])
        let silence = try #require(reading.problems.first)
        #expect(silence.code == .empty)
        #expect(silence.message.contains("media out"))
    }

    @Test func silentHostStatusAndAReadyExtendedStatusIsReady() {
        let reading = zpl.merge([.zplExtendedStatus: Replies.hqesReady])
        #expect(reading.status.isReady)
    }

    @Test func bothReportingTheSameProblemListItOnce() {
        let paused = Replies.hostStatus(setting: 0, field: 2, to: "1")
        let hqes = Replies.extendedStatus(errors: "00010000", warnings: "00000002")
        let reading = zpl.merge([.zplHostStatus: paused, .zplExtendedStatus: hqes])
        #expect(reading.status.conditions == [.paused])
        #expect(reading.status.errors == ["paused"])
        #expect(reading.status.warnings == ["clean printhead"])
        #expect(reading.status.labelsRemaining == 0)
    }

    @Test func conditionsFromBothRepliesAddUp() {
        let full = Replies.hostStatus(setting: 0, field: 5, to: "1")
        let hqes = Replies.extendedStatus(errors: "00000004", warnings: "00000000")
        let reading = zpl.merge([.zplHostStatus: full, .zplExtendedStatus: hqes])
        #expect(reading.status.conditions == [.bufferFull, .headOpen])
    }

    @Test func totalSilenceIsUnknown() {
        let reading = zpl.merge([:])
        #expect(reading.status == .unknown)
        #expect(!reading.status.isReady)
        #expect(reading.answered.isEmpty)
        #expect(reading.problems.map(\.code) == [.empty, .empty])
        #expect(epl.merge([.eplErrorReport: []]).status == .unknown)
    }

    @Test func unreadableRepliesAreUnknownWithTheirReasons() {
        let reading = zpl.merge([.zplHostStatus: Array("garbage".utf8), .zplExtendedStatus: Array("\u{2}ERRORS".utf8)])
        #expect(reading.status == .unknown)
        #expect(reading.problems.map(\.code) == [.unframed, .truncated])
    }

    @Test func aMalformedReplyDoesNotHideAReadableOne() {
        let reading = zpl.merge([.zplHostStatus: Array("\u{2}1,2\u{3}".utf8), .zplExtendedStatus: Replies.hqesReady])
        #expect(reading.status.isReady)
        #expect(reading.problems.map(\.code) == [.truncated])
    }

    @Test func portStatusOnlyFillsSilence() {
        let silentButEmpty = zpl.merge([:], portStatus: USBPortStatus(rawValue: 0x38))
        #expect(silentButEmpty.status.conditions == [.paperOut])
        let silentButHealthy = zpl.merge([:], portStatus: USBPortStatus(rawValue: 0x18))
        #expect(silentButHealthy.status == .unknown)
        let answered = zpl.merge(
            [.zplHostStatus: Replies.hsReady, .zplExtendedStatus: Replies.hqesReady], portStatus: USBPortStatus(rawValue: 0x38))
        #expect(answered.status.isReady)
    }

    @Test func eplReplies() {
        #expect(epl.merge([.eplErrorReport: Array("00\r\n".utf8)]).status.isReady)
        let out = epl.merge([.eplErrorReport: Array("07\r\n".utf8)])
        #expect(out.status.conditions == [.paperOut])
        #expect(out.answered == [.eplErrorReport])
        // Replies to queries the poll does not send are not read.
        #expect(epl.merge([.zplHostStatus: Replies.hsReady]).status == .unknown)
    }
}
