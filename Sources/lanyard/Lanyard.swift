import ArgumentParser

@main
struct Lanyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanyard",
        abstract: "Render event badges and encode them for ZPL and EPL label printers.",
        discussion: """
            Exit codes: 0 success; 1 finished, but the record or template has errors; \
            64 usage; 65 invalid template, profile, event or agent configuration; 66 input not found; \
            69 printer unreachable (not found, busy, disconnected, timed out) or the agent's listen \
            address in use; 70 internal error; 73 another agent runs on the data directory; \
            74 output or state could not be written; 75 printer not ready (paper out, head open, \
            paused); 77 no permission to open the printer.
            """,
        version: "0.1.0",
        subcommands: [
            RenderCommand.self, BatchCommand.self, TemplatesCommand.self, ProfilesCommand.self,
            PrintCommand.self, PrintersCommand.self, PrinterCommand.self, PrinterSimCommand.self, AgentCommand.self,
            ImportCommand.self, HashPinCommand.self, RegistryCommand.self, TUFClientCommand.self,
            DemoCommand.self, RenderChildCommand.self,
        ]
    )
}
