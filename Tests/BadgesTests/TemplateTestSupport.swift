import Badges
import Foundation
import Logging
import TestSupport
import Testing

let repositoryRoot = Repository.root
let templatesRoot = repositoryRoot.appending(path: "Templates")
let testLogger = Logger(label: "lanyard.tests")

/// A throwaway bundle with the given template text and the shipped Noto Sans fonts.
struct ScratchBundle {
    let directory: URL

    init(template yaml: String, extraFiles: [String: Data] = [:], writeManifest: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-bundle-\(UUID().uuidString)")
        let fonts = directory.appending(path: "fonts")
        try FileManager.default.createDirectory(at: fonts, withIntermediateDirectories: true)
        for font in ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf"] {
            try FileManager.default.copyItem(at: templatesRoot.appending(path: "standard/fonts/\(font)"), to: fonts.appending(path: font))
        }
        try Data(yaml.utf8).write(to: directory.appending(path: TemplateBundle.templateFile))
        for (path, data) in extraFiles {
            let url = directory.appending(path: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        if writeManifest { try BundleManifest.write(directory: directory) }
    }

    func load() throws(BadgeError) -> TemplateBundle { try TemplateBundle.load(directory: directory) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// A minimal valid template around the given elements.
func templateYAML(stock: String = "size: 4x3in", orientation: String = "landscape", fields: String = "", elements: String) -> String {
    """
    format: lanyard-template/1
    name: scratch
    version: 0.0.1
    stock: { \(stock) }
    orientation: \(orientation)
    fonts: [fonts/NotoSans-Regular.ttf, fonts/NotoSans-Bold.ttf]
    \(fields)
    elements:
    \(elements)
    """
}

let allScripts = "[Noto Sans, Noto Sans Arabic, Noto Sans Hebrew, Noto Sans Devanagari, Noto Sans Thai, Noto Sans CJK JP]"
