import Foundation
import PackagePlugin

/// Turns a module's `ErrorCodes.json` into its error code enums before the module compiles.
@main
struct ErrorCodes: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let module = target as? any SourceModuleTarget else { return [] }
        let generator = try context.tool(named: "error-code-generator").url
        return module.sourceFiles.filter { $0.url.lastPathComponent == "ErrorCodes.json" }.map { catalog in
            let output = context.pluginWorkDirectoryURL.appending(path: "\(module.name)ErrorCodes.swift")
            return .buildCommand(
                displayName: "Generating the error codes of \(module.name)",
                executable: generator,
                arguments: [catalog.url.path, output.path, module.name],
                inputFiles: [catalog.url],
                outputFiles: [output]
            )
        }
    }
}
