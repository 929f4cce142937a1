public import Foundation
public import Store
import Synchronization

/// The places a badge tries, in order: the box's printers (among which the hand-over moves it,
/// `PrinterHandover`), then each of `destinations` (docs/handover.md). A badge waits at most
/// `queue.deadline_seconds` at each place, counted from its acceptance and again from each move;
/// then, while it is still `queued` there, it goes to the next place. A badge a peer handed to
/// this agent never goes on to a peer: a chain between kiosks must not become a loop.
public struct DestinationChain: Sendable {
    public let printers: Set<String>
    public let destinations: [AgentConfiguration.Destination]
    public let deadline: TimeInterval

    public init(printers: Set<String>, destinations: [AgentConfiguration.Destination], deadlineSeconds: Double) {
        self.printers = printers
        self.destinations = destinations
        deadline = deadlineSeconds
    }

    /// The place after `place` for a badge; nil when there is none.
    public func next(after place: String, handedOver: Bool) -> String? {
        let ids = destinations.filter { !handedOver || !$0.isPeer }.map(\.id)
        if printers.contains(place) { return ids.first }
        guard let index = ids.firstIndex(of: place) else { return nil }
        return ids.indices.contains(index + 1) ? ids[index + 1] : nil
    }

    /// When the job's time at its place is up.
    public func dueAt(_ job: PrintJob) -> Date { job.arrivedAt.addingTimeInterval(deadline) }
}

/// Wakes the worker of a place (a printer of the box, a destination) by its id: what a
/// destination calls after moving a badge on along the chain.
final class PlaceWakers: Sendable {
    private let wakers = Mutex<[String: @Sendable () -> Void]>([:])

    func add(_ id: String, _ wake: @escaping @Sendable () -> Void) {
        wakers.withLock { $0[id] = wake }
    }

    func wake(_ id: String) {
        wakers.withLock { $0[id] }?()
    }
}
