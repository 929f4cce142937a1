public import Attendees
public import Foundation

/// What the technician's printer tasks print besides the event's badges: a test badge for a
/// sample attendee (never a real one's) and the calibration ladder's cell template, both from
/// what ships with the agent.
public struct TechnicianBench: Sendable {
    public var testAttendee: Attendee
    public var ladderTemplate: URL

    public init(testAttendee: Attendee, ladderTemplate: URL) {
        self.testAttendee = testAttendee
        self.ladderTemplate = ladderTemplate
    }

    /// The first sample attendee and the bundled ladder; nil when the sample file is missing
    /// (the technician's tasks then say so).
    public static func load(resources: AgentResources, event: EventConfiguration) -> TechnicianBench? {
        var session = Intake(event: event).makeSession()
        guard let batch = try? session.acceptJSONLines(in: resources.sampleAttendees),
            let attendee = batch.outcomes.compactMap(\.attendee).first
        else { return nil }
        return TechnicianBench(testAttendee: attendee, ladderTemplate: resources.templates.appending(path: "calibration-ladder"))
    }
}
