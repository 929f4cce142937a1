public import ServiceLifecycle

/// Runs every printer worker for the life of the agent. On graceful shutdown (SIGTERM) the
/// workers are cancelled: a job being sent finishes its write and stays `sent`; nothing new is
/// taken from the queue.
///
/// Beside them: with several printers the hand-over (`PrinterHandover`: a printer that cannot
/// print hands its queued jobs to one that can), the deadline watch (`DeadlineWatch`) and the
/// destinations off the box (peer kiosks, office printers).
public struct SpoolerService: Service {
    public let workers: [PrinterWorker]
    let handover: PrinterHandover?
    let deadlines: DeadlineWatch?
    let destinations: [any JobDestination]

    public init(workers: [PrinterWorker], core: AgentCore? = nil) {
        self.workers = workers
        handover = core.flatMap { $0.workers.count > 1 ? PrinterHandover(core: $0) : nil }
        deadlines = core.map(DeadlineWatch.init(core:))
        destinations = core.map { Array($0.destinations.values) } ?? []
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
                if let handover { group.addTask { await handover.run() } }
                if let deadlines { group.addTask { await deadlines.run() } }
                for destination in destinations {
                    group.addTask { await destination.run() }
                }
            }
        }
    }
}
