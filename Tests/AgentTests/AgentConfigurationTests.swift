import Agent
import Foundation
import LanyardSupport
import Testing

/// A setting the agent does not know is refused, never ignored: a misspelt `adress:` would
/// otherwise leave the printer unset, the agent would print to its simulator and report every
/// badge printed. Each refusal names the file, the key's path and, where one is close, the key
/// that was meant.
@Suite struct AgentConfigurationTests {
    func refusal(_ yaml: String) throws -> (message: String, file: String) {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "agent.yaml")
        try Data(yaml.utf8).write(to: file)
        let error = try #require(#expect(throws: AgentError.self) { try AgentConfiguration.load(file: file.path, environment: [:]) })
        #expect(error.code == .configurationInvalid)
        #expect(error.message.hasPrefix(file.path), "the message names the file: \(error.message)")
        return (error.message, file.path)
    }

    @Test(arguments: [
        ("admin-token: secret-secret-secret\n", "admin-token", "admin_token"),
        ("printer: { adress: tcp://10.0.0.7, profile: zebra-zd421d-300 }\n", "printer.adress", "address"),
        ("queue:\n  max_queue: 20\n", "queue.max_queue", "max_queued"),
        (
            "registry:\n  url: http://registry/repository/\n  root: /etc/lanyard/root.json\n  pol_seconds: 5\n", "registry.pol_seconds",
            "poll_seconds"
        ),
        ("webhooks:\n  PerMinute: 5\n", "webhooks.PerMinute", "per_minute"),
        ("templates: { fallbak: vip }\n", "templates.fallbak", "fallback"),
        ("Listen: 127.0.0.1:9000\n", "Listen", "listen"),
    ])
    func aMisspeltSettingIsRefusedWithTheKeyItMeant(_ yaml: String, _ path: String, _ meant: String) throws {
        let (message, file) = try refusal(yaml)
        #expect(message.hasPrefix("\(file) at \(path): unknown setting; did you mean '\(meant)'?"), "\(message)")
    }

    @Test func aSettingLikeNoOtherIsRefusedWithTheKnownOnes() throws {
        let (message, file) = try refusal("listen: 127.0.0.1:9000\ncolour: red\n")
        #expect(message.hasPrefix("\(file) at colour: unknown setting (known here: listen, data_dir, event,"), "\(message)")
        #expect(!message.contains("did you mean"))
    }

    @Test func aValueOfTheWrongKindIsNamedInPlainWords() throws {
        let (message, file) = try refusal("queue:\n  max_queued: lots\n")
        #expect(message == "\(file) at queue.max_queued: expected a whole number", "\(message)")
        let (flag, _) = try refusal("printer:\n  poll_seconds: [1]\n")
        #expect(flag.hasSuffix("at printer.poll_seconds: expected a single value"), "\(flag)")
    }

    @Test func theRegistryTokenIsGivenOnceInlineOrAsAFile() throws {
        let registry = "registry:\n  url: http://registry/repository/\n  root: /etc/lanyard/root.json\n"
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "agent.yaml")
        try Data((registry + "  token: agent-token-0123456789\n  token_file: /etc/lanyard/registry.token\n").utf8).write(to: file)
        let error = try #require(#expect(throws: AgentError.self) { try AgentConfiguration.load(file: file.path, environment: [:]) })
        #expect(error.code == .configurationInvalid && error.detail == "registry.token_file", "\(error)")
    }

    @Test func yamlThatDoesNotParseIsRefusedWithWhereItBroke() throws {
        let (message, _) = try refusal("printer:\n  address: sim\n   profile: [\n")
        #expect(message.contains("not valid YAML"), "\(message)")
        #expect(message.contains("line") || message.contains("3:"), "the parser's position is kept: \(message)")
    }

    /// Everything the shipped configuration sets, and the maps whose keys are names of the
    /// operator's own (webhook sources, tracks, pins), still reads.
    @Test func theShippedConfigurationAndFreeFormMapsStillRead() throws {
        let shipped = AgentHarness.repositoryRoot.appending(path: "systemd/agent.yaml").path
        _ = try AgentConfiguration.load(file: shipped, environment: [:])
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "agent.yaml")
        try Data(
            """
            webhooks: { secrets: { crm-eu: s1, Tito: s2 } }
            templates: { tracks: { Security: vip } }
            registry: { url: file:/mnt/repo, root: /etc/lanyard/root.json, pins: { templates/vip: "2026.11-b" } }
            """.utf8
        ).write(to: file)
        let configuration = try AgentConfiguration.load(file: file.path, environment: [:])
        #expect(configuration.webhooks.secrets == ["crm-eu": "s1", "Tito": "s2"])
        #expect(configuration.templates.tracks == ["Security": "vip"])
        #expect(configuration.registry.pins == ["templates/vip": "2026.11-b"])
    }
}
