public import ServiceLifecycle

/// Runs every printer worker for the life of the agent. On graceful shutdown (SIGTERM) the
/// workers are cancelled: a job being sent finishes its write and stays `sent`; nothing new is
/// taken from the queue.
public struct SpoolerService: Service {
    public let workers: [PrinterWorker]

    public init(workers: [PrinterWorker]) { self.workers = workers }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for worker in workers {
                    group.addTask { await worker.run() }
                }
            }
        }
    }
}
