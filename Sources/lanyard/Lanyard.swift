import ArgumentParser

@main
struct Lanyard: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lanyard",
        abstract: "Render event badges and encode them for ZPL and EPL label printers.",
        discussion: """
            Exit codes: 0 success; 1 finished, but the record or template has errors; \
            64 usage; 65 invalid template, profile or event file; 66 input not found; \
            70 internal error; 74 output could not be written.
            """,
        version: "0.1.0",
        subcommands: [
            RenderCommand.self, BatchCommand.self, TemplatesCommand.self, ProfilesCommand.self,
            DemoCommand.self, BenchCommand.self,
        ]
    )
}
