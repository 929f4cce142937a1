import Foundation

/// Writes the Swift enums of a module's error catalog (`ErrorCodes.json`): each code's case, its
/// stable dotted name, its exit status and, where it differs from the one the exit status implies,
/// its HTTP status. The catalog is the one place a code is declared; docs/errors.md is checked
/// against the same files, so the list a reader sees cannot drift from what the program throws.
///
/// Usage: error-code-generator CATALOG.json OUTPUT.swift MODULE

/// One module's catalog: the code enums it declares.
struct Catalog: Decodable {
    let enums: [CodeEnum]
}

struct CodeEnum: Decodable {
    /// The Swift type, e.g. `StoreErrorCode`.
    let name: String
    /// What failures of this kind are, for the type's documentation.
    let summary: String
    let codes: [Code]
}

struct Code: Decodable {
    let `case`: String
    let code: String
    /// An `ExitStatus` case name.
    let exit: String
    /// Set only where the HTTP status is not the one `ExitStatus.httpStatus` gives.
    let http: Int?
    /// What the failure means and what to do about it; docs/errors.md shows it.
    let doc: String
}

struct CatalogError: Error, CustomStringConvertible {
    let description: String
}

let exitStatuses: Set<String> = [
    "contentErrors", "usage", "invalidData", "inputMissing", "unavailable", "internalError", "inUse", "ioFailed",
    "printerNotReady", "noPermission",
]

func validate(_ catalog: Catalog, file: String) throws {
    for codeEnum in catalog.enums {
        guard !codeEnum.codes.isEmpty else { throw CatalogError(description: "\(file): \(codeEnum.name) has no codes") }
        var seen: Set<String> = []
        for code in codeEnum.codes {
            guard seen.insert(code.case).inserted else {
                throw CatalogError(description: "\(file): \(codeEnum.name).\(code.case) is declared twice")
            }
            guard exitStatuses.contains(code.exit) else {
                throw CatalogError(description: "\(file): \(codeEnum.name).\(code.case): '\(code.exit)' is not an ExitStatus")
            }
            guard code.code.contains("."), code.code == code.code.lowercased() else {
                throw CatalogError(description: "\(file): \(codeEnum.name).\(code.case): '\(code.code)' is not a dotted lowercase code")
            }
        }
    }
}

func documentation(_ text: String, indent: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(indent)/// \($0)" }
}

/// Cases with the same value, in catalog order of their first appearance, as switch rows.
func switchRows(_ codes: [Code], value: (Code) -> String?) -> [String] {
    var order: [String] = []
    var cases: [String: [String]] = [:]
    for code in codes {
        guard let value = value(code) else { continue }
        if cases[value] == nil { order.append(value) }
        cases[value, default: []].append(".\(code.case)")
    }
    return order.map { "        case \(cases[$0]!.joined(separator: ", ")): \($0)" }
}

func render(_ catalog: Catalog, source: String, module: String) -> String {
    var lines = ["// Generated from \(source) of \(module) by the ErrorCodes plugin. Edit the catalog, not this file."]
    // `ErrorCode` and `ExitStatus` are LanyardSupport's own; every other module imports them.
    if module != "LanyardSupport" { lines += ["", "public import LanyardSupport"] }
    for codeEnum in catalog.enums {
        lines.append("")
        lines += documentation(codeEnum.summary, indent: "")
        lines.append("public enum \(codeEnum.name): String, ErrorCode, Codable {")
        for code in codeEnum.codes {
            lines += documentation(code.doc, indent: "    ")
            lines.append("    case \(code.case) = \"\(code.code)\"")
        }
        lines += ["", "    public var exitStatus: ExitStatus {", "        switch self {"]
        lines += switchRows(codeEnum.codes) { ".\($0.exit)" }
        lines += ["        }", "    }"]
        if codeEnum.codes.contains(where: { $0.http != nil }) {
            lines += ["", "    public var httpStatus: Int? {", "        switch self {"]
            lines += switchRows(codeEnum.codes) { $0.http.map(String.init) }
            if codeEnum.codes.contains(where: { $0.http == nil }) { lines.append("        default: nil") }
            lines += ["        }", "    }"]
        }
        lines.append("}")
    }
    return lines.joined(separator: "\n") + "\n"
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: error-code-generator CATALOG.json OUTPUT.swift MODULE\n".utf8))
    exit(64)
}
do {
    let input = URL(fileURLWithPath: arguments[1])
    let catalog = try JSONDecoder().decode(Catalog.self, from: Data(contentsOf: input))
    try validate(catalog, file: input.lastPathComponent)
    let text = render(catalog, source: input.lastPathComponent, module: arguments[3])
    let output = URL(fileURLWithPath: arguments[2])
    // Rewriting an unchanged file would make every dependent module recompile.
    if (try? String(contentsOf: output, encoding: .utf8)) != text {
        try Data(text.utf8).write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("error-code-generator: \(error)\n".utf8))
    exit(65)
}
