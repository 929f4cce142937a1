public import ServiceLifecycle

/// Runs every printer worker for the life of the agent. On graceful shutdown (SIGTERM) the
/// workers are cancelled: a job being sent finishes its write and stays `sent`; nothing new is
/// taken from the queue.
///
/// With several printers it also runs the hand-over (`PrinterHandover`): a printer that cannot
/// print hands its queued jobs to one that can.
public struct SpoolerService: Service {
    public let workers: [PrinterWorker]
    let handover: PrinterHandover?

    public init(workers: [PrinterWorker], core: AgentCore? = nil) {
        self.workers = workers
        handover = core.flatMap { $0.workers.count > 1 ? PrinterHandover(core: $0) : nil }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
                if let handover { group.addTask { await handover.run() } }
            }
        }
    }
}
