import Crypto
public import Foundation

/// The pages the agent serves from the box (`web/` of the installation): plain HTML, CSS and
/// JavaScript modules, no build step. Every asset is served under its content hash
/// (`/assets/<hash>/<path>`, cached for good), so a new version is never mixed with an old one;
/// a page names its assets through placeholders the agent fills in once at start:
/// `{{asset:PATH}}` (one URL), `{{import-map}}` (every module, so modules import each other by
/// bare names such as `kiosk/api.js`) and `{{asset-map}}` (every other asset's URL, for `fetch`).
/// Each page is sent with a Content-Security-Policy allowing nothing but the box itself.
public struct WebPages: Sendable {
    struct Asset: Sendable {
        let hash: String
        let bytes: [UInt8]
        let contentType: String
    }

    struct Page: Sendable {
        let html: String
        let contentSecurityPolicy: String
    }

    let assets: [String: Asset]
    let pages: [String: Page]

    /// Reads every file below `directory`; pages are the `.html` files at its top.
    public init(directory: URL) throws {
        var assets: [String: Asset] = [:]
        var pageSources: [String: String] = [:]
        let root = directory.standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw AgentError(.startupFailed, "cannot read the pages", detail: directory.path)
        }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            let data = try Data(contentsOf: url)
            if path.hasSuffix(".html"), !path.contains("/") {
                pageSources[String(path.dropLast(5))] = String(decoding: data, as: UTF8.self)
                continue
            }
            let digest = SHA256.hash(data: data).prefix(6).map { String(format: "%02x", $0) }.joined()
            assets[path] = Asset(hash: digest, bytes: Array(data), contentType: Self.contentType(of: path))
        }
        self.assets = assets
        pages = pageSources.mapValues { Self.fill($0, assets: assets) }
    }

    static func url(_ path: String, _ asset: Asset) -> String { "/assets/\(asset.hash)/\(path)" }

    /// The page with its placeholders filled in, and the policy that lets it run its own import
    /// map (by hash) and nothing from anywhere else.
    static func fill(_ source: String, assets: [String: Asset]) -> Page {
        var imports: [String: String] = [:]
        for (path, asset) in assets where path.hasSuffix(".js") { imports[path] = url(path, asset) }
        var others: [String: String] = [:]
        for (path, asset) in assets where !path.hasSuffix(".js") { others[path] = url(path, asset) }
        let importMap = "{\"imports\":\(json(imports))}"
        var html = source.replacingOccurrences(
            of: "{{import-map}}", with: "<script type=\"importmap\">\(importMap)</script>")
        html = html.replacingOccurrences(
            of: "{{asset-map}}", with: "<script type=\"application/json\" id=\"asset-map\">\(json(others))</script>")
        for (path, asset) in assets { html = html.replacingOccurrences(of: "{{asset:\(path)}}", with: url(path, asset)) }
        let mapHash = Data(SHA256.hash(data: Data(importMap.utf8))).base64EncodedString()
        let policy = [
            "default-src 'none'", "script-src 'self' 'sha256-\(mapHash)'", "style-src 'self'", "img-src 'self' blob: data:",
            "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
        ].joined(separator: "; ")
        return Page(html: html, contentSecurityPolicy: policy)
    }

    static func json(_ map: [String: String]) -> String {
        let pairs = map.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}
