import Agent
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Registry
import Sync
import TUF

/// Publish-to-active latency across a fleet: one `lanyard registry serve` and N `lanyard agent`
/// children on this machine, each agent printing to the simulator and told of publications by
/// the server's notification. Each round publishes a changed template bundle (so every agent
/// downloads, verifies and dry-runs it) and times, per agent, from the end of the publication to
/// the first answer of `GET /v1/sync` that shows the new release as active.
struct SyncFleetBench {
    let agents: Int
    let rounds: Int
    let workspace: URL
    let executable: URL

    final class Child {
        let process: Process
        let port: Int
        init(process: Process, port: Int) {
            self.process = process
            self.port = port
        }
        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    func run() throws -> [Double] {
        let repository = workspace.appending(path: "fleet-repository")
        let made = try BenchRepository(directory: repository, timestampKeyFile: workspace.appending(path: "timestamp.key"))
        let timestampKeyFile = made.timestampKeyFile, publisher = made.publisher
        try publish(round: 0, publisher: publisher, repository: repository)

        let registryPort = try AgentLauncher.freeLoopbackPort()
        let registry = try spawn(
            [
                "registry", "serve", "--repository", repository.path, "--state", workspace.appending(path: "registry-state").path,
                "--listen", "127.0.0.1:\(registryPort)", "--timestamp-key", timestampKeyFile.path,
            ],
            port: registryPort, log: "registry.log")
        var children: [Child] = []
        for index in 0..<agents {
            let data = workspace.appending(path: "fleet-agent-\(index)")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let config = data.appending(path: "agent.yaml")
            try Data(
                """
                kiosk_id: bench-kiosk-\(index)
                printer: { address: sim }
                registry:
                  url: http://127.0.0.1:\(registryPort)/repository/
                  server: http://127.0.0.1:\(registryPort)
                  root: \(repository.appending(path: RepositoryLayout.root(version: 1)).path)
                  poll_seconds: 30

                """.utf8
            ).write(to: config)
            let port = try AgentLauncher.freeLoopbackPort()
            children.append(
                try spawn(
                    ["agent", "--config", config.path, "--data", data.path, "--listen", "127.0.0.1:\(port)"],
                    port: port, log: "fleet-agent-\(index).log"))
        }
        for child in children { try waitFor(label: "round-0", on: child, timeout: .seconds(120)) }

        var latencies: [Double] = []
        for round in 1...rounds {
            try publish(round: round, publisher: publisher, repository: repository)
            let published = ContinuousClock.now
            var pending = Set(children.indices)
            let deadline = published + .seconds(60)
            while !pending.isEmpty {
                for index in pending.sorted() where fallbackLabel(children[index]) == "round-\(round)" {
                    latencies.append(SyncBench.milliseconds(ContinuousClock.now - published))
                    pending.remove(index)
                }
                guard ContinuousClock.now < deadline else {
                    throw BenchError(
                        .unavailable, "\(pending.count) agent(s) did not take round \(round) within 60 s (logs in \(workspace.path))")
                }
                usleep(5_000)
            }
        }
        withExtendedLifetime(registry) {}
        return latencies
    }

    /// A copy of the standard bundle that differs in one comment line per round: a new release
    /// with one new file to fetch, like a typical template fix.
    func publish(round: Int, publisher: RegistryPublisher, repository: URL) throws {
        let bundle = workspace.appending(path: "bundle-\(round)")
        try FileManager.default.copyItem(at: Installation.templates.appending(path: "standard"), to: bundle)
        let file = bundle.appending(path: TemplateBundle.templateFile)
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data((text + "# publication round \(round)\n").utf8).write(to: file)
        try BundleManifest.write(directory: bundle)
        try publisher.publishDirectory(bundle, as: "templates/standard", kind: .template, scope: .global, label: "round-\(round)")
    }

    func fallbackLabel(_ child: Child) -> String? {
        let client = LoopbackHTTPClient(port: child.port, timeout: .seconds(5))
        defer { client.close() }
        guard let response = try? client.send("GET", "/v1/sync"), response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return nil }
        return ((object["templates"] as? [[String: Any]]) ?? []).first { $0["tier"] as? String == "fallback" }?["label"] as? String
    }

    func waitFor(label: String, on child: Child, timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while fallbackLabel(child) != label {
            guard child.process.isRunning else { throw BenchError(.internal, "an agent exited (logs in \(workspace.path))") }
            guard ContinuousClock.now < deadline else {
                throw BenchError(.unavailable, "an agent did not take \(label) (logs in \(workspace.path))")
            }
            usleep(20_000)
        }
    }

    func spawn(_ arguments: [String], port: Int, log: String) throws -> Child {
        let logFile = workspace.appending(path: log)
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil), let handle = FileHandle(forWritingAtPath: logFile.path)
        else {
            throw BenchError(.io, "cannot create \(logFile.path)")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !AgentLauncher.strippedEnvironment.contains($0.key) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = handle
        try process.run()
        try? handle.close()
        return Child(process: process, port: port)
    }
}
