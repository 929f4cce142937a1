import Foundation
public import LanyardSupport
import YAMLReading

/// A network or device-file printer the technician has listed, since such printers cannot be
/// discovered the way USB ones are. From `printers.yaml`:
/// ```yaml
/// printers:
///   - name: door-1
///     address: tcp://10.0.0.7:9100
///     profile: zebra-zd421d-300
/// ```
public struct ConfiguredPrinter: Sendable, Equatable, Decodable {
    public var name: String
    public var address: PrinterAddress
    public var profile: String

    enum CodingKeys: String, CodingKey { case name, address, profile }

    public init(name: String, address: PrinterAddress, profile: String) {
        self.name = name
        self.address = address
        self.profile = profile
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        profile = try container.decode(String.self, forKey: .profile)
        let text = try container.decode(String.self, forKey: .address)
        do {
            address = try PrinterAddress(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .address, in: container, debugDescription: error.message)
        }
    }

    private struct File: Decodable { var printers: [ConfiguredPrinter] }

    /// The printers listed in `path`; a missing file is an empty list.
    public static func load(file path: String) throws(PrintersError) -> [ConfiguredPrinter] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            return try YAMLReader.decode(File.self, from: text).printers
        } catch let error as DecodingError {
            throw PrintersError(
                code: .configurationInvalid, message: "\(path) is not a valid printer list",
                field: error.fieldPath, underlying: error)
        } catch {
            throw PrintersError(code: .configurationInvalid, message: "cannot read \(path)", underlying: error)
        }
    }
}
