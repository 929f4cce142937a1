public import Foundation
public import LanyardSupport

/// The three commands of the tuf-conformance suite's client protocol (its CLIENT-CLI.md), which
/// `lanyard tuf-client` runs: the suite checks their exit status, the files they leave and the
/// requests they make.
public enum ClientCommand: Sendable, Equatable {
    /// The trusted root copied into the metadata directory; nothing is fetched or checked yet.
    case initialize(trustedRoot: URL)
    /// The top-level metadata brought up to date.
    case refresh(metadataURL: String)
    /// Each target in turn, with one updater: looked up (refreshing first), kept when the file in
    /// `directory` already matches, else downloaded and verified. The first failure stops.
    case download(metadataURL: String, targets: [String], baseURL: String, directory: URL)

    /// The command the words and options ask for, or nil when they do not make one.
    public init?(words: [String], metadataURL: String?, targetNames: [String], targetBaseURL: String?, targetDirectory: String?) {
        switch (words, metadataURL, targetBaseURL, targetDirectory) {
        case (let words, _, _, _) where words.count == 2 && words[0] == "init":
            self = .initialize(trustedRoot: URL(filePath: words[1]))
        case (["refresh"], let url?, _, _):
            self = .refresh(metadataURL: url)
        case (["download"], let url?, let base?, let directory?) where !targetNames.isEmpty:
            self = .download(metadataURL: url, targets: targetNames, baseURL: base, directory: URL(filePath: directory))
        default:
            return nil
        }
    }

    public func run(metadataDirectory: URL, fetcher: any TUFFetcher = HTTPFetcher()) async throws(TUFError) {
        switch self {
        case .initialize(let trustedRoot):
            guard let root = try? Data(contentsOf: trustedRoot) else {
                throw TUFError(.storageFailed, "cannot read the trusted root", context: trustedRoot.path)
            }
            try MetadataDirectory(metadataDirectory).initialize(trustedRoot: root)
        case .refresh(let metadataURL):
            var updater = Updater(directory: metadataDirectory, metadataURL: metadataURL, fetcher: fetcher)
            try await updater.refresh()
        case .download(let metadataURL, let targets, let baseURL, let directory):
            var updater = Updater(directory: metadataDirectory, metadataURL: metadataURL, fetcher: fetcher)
            for path in targets {
                guard let target = try await updater.targetInfo(for: path) else {
                    throw TUFError(.targetNotFound, "no trusted role lists it", context: path)
                }
                let file = directory.appending(path: Updater.localFileName(for: target))
                if !Updater.isCached(target, at: file) { try await updater.downloadTarget(target, baseURL: baseURL, to: file) }
            }
        }
    }
}
