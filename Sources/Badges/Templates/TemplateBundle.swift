public import Foundation
import YAMLReading

/// A verified template bundle: `template.yaml`, its fonts and images, and the manifest that
/// vouches for them. Only a bundle whose every file matches its manifest can be loaded.
public struct TemplateBundle: Sendable {
    public static let templateFile = "template.yaml"

    public let directory: URL
    public let template: Template
    public let manifest: BundleManifest

    /// Verifies the manifest, then decodes and checks the template.
    public static func load(directory: URL) throws(BadgeError) -> TemplateBundle {
        let manifest = try BundleManifest.verify(directory: directory)
        let template = try decodeTemplate(at: directory.appending(path: templateFile))
        let bundle = TemplateBundle(directory: directory, template: template, manifest: manifest)
        try bundle.checkReferences()
        return bundle
    }

    /// Decodes a template file, turning decoding failures into errors that name the YAML path.
    public static func decodeTemplate(at url: URL) throws(BadgeError) -> Template {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw BadgeError(.templateMalformed, "cannot read the template (missing, or not UTF-8)", location: url.path)
        }
        do {
            return try YAMLReader.decode(Template.self, from: text)
        } catch let error as DecodingError {
            let path = error.settingPath
            throw BadgeError(.templateMalformed, error.plainReason, location: path.isEmpty ? url.path : "\(url.path): \(path)")
        } catch {
            throw BadgeError(.templateMalformed, "not valid YAML: \(error)", location: url.path)
        }
    }

    /// Every file the template names must be in the bundle.
    func checkReferences() throws(BadgeError) {
        for font in template.fonts where manifest.files[font] == nil {
            throw BadgeError(
                .assetMissing, "font file '\(font)' is not in the bundle", location: "\(directory.path)/\(Self.templateFile): fonts")
        }
        for (index, element) in template.elements.enumerated() {
            if case .image(let image) = element.kind, manifest.files[image.file] == nil {
                throw BadgeError(
                    .assetMissing, "image '\(image.file)' is not in the bundle",
                    location: "\(directory.path)/\(Self.templateFile): elements[\(index)].file")
            }
            if case .icons(let icons) = element.kind {
                for file in icons.files where manifest.files[file] == nil {
                    throw BadgeError(
                        .assetMissing, "icon '\(file)' is not in the bundle",
                        location: "\(directory.path)/\(Self.templateFile): elements[\(index)].icons")
                }
            }
        }
    }

    public func url(of relative: String) -> URL { directory.appending(path: relative) }
}
