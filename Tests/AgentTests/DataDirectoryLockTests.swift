import Agent
import Foundation
import LanyardSupport
import Logging
import Testing

/// One agent per data directory: the lock is exclusive, refuses at once with the directory and
/// the holder's process id, and is gone with its holder.
@Suite struct DataDirectoryLockTests {
    func freshDirectory() -> URL {
        FileManager.default.temporaryDirectory.appending(path: "lanyard-lock-\(UUID().uuidString)", directoryHint: .isDirectory)
    }

    @Test func aSecondHolderIsRefusedWithTheDirectoryAndTheProcess() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try DataDirectoryLock(directory: directory)
        let refusal = #expect(throws: AgentError.self) { try DataDirectoryLock(directory: directory) }
        #expect(refusal?.code == .dataDirectoryInUse)
        #expect(refusal?.message.contains(directory.path) == true, "\(refusal?.message ?? "")")
        #expect(refusal?.message.contains("process \(getpid())") == true, "\(refusal?.message ?? "")")
        #expect(refusal?.detail == directory.appending(path: DataDirectoryLock.fileName).path)
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsReleasedWithItsHolder() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let first = try DataDirectoryLock(directory: directory)
            withExtendedLifetime(first) {}
        }
        // The file stays behind, as after a crash; only a held lock refuses.
        #expect(FileManager.default.fileExists(atPath: directory.appending(path: DataDirectoryLock.fileName).path))
        let second = try DataDirectoryLock(directory: directory)
        withExtendedLifetime(second) {}
    }

    @Test func theRunningAgentOfADirectoryIsFoundWithoutTakingItsLock() throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(DataDirectoryLock.runningAgent(on: directory) == nil, "no lock file: no agent")
        do {
            let holder = try DataDirectoryLock(directory: directory)
            #expect(DataDirectoryLock.runningAgent(on: directory) == getpid())
            // Looking took nothing: the holder still holds it alone.
            #expect(throws: AgentError.self) { try DataDirectoryLock(directory: directory) }
            withExtendedLifetime(holder) {}
        }
        #expect(DataDirectoryLock.runningAgent(on: directory) == nil, "the holder is gone")
    }

    @Test func anAgentOnADirectoryInUseDoesNotStart() async throws {
        let directory = freshDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let holder = try DataDirectoryLock(directory: directory)
        var configuration = AgentConfiguration()
        configuration.dataDirectory = directory.path
        configuration.printer.address = "sim"
        var resources = AgentHarness.resources
        resources.defaultDataDirectory = directory
        await #expect {
            _ = try await AgentRuntime.start(configuration: configuration, resources: resources, logger: .init(label: "lanyard.tests"))
        } throws: { error in
            (error as? AgentError)?.code == .dataDirectoryInUse
        }
        // Refused before anything was written: no database was created beside the lock.
        #expect(!FileManager.default.fileExists(atPath: directory.appending(path: "lanyard.sqlite").path))
        withExtendedLifetime(holder) {}
    }
}
