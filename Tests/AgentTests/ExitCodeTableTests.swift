import Agent
import Attendees
import BadgePipeline
import Badges
import Foundation
import LanyardHTTP
import LanyardSupport
import Printers
import Raster
import Registry
import Store
import Symbols
import Sync
import TUF
import Testing

/// The command line's exit codes, code by code. Every error of every module carries its exit
/// status and HTTP status (`LanyardError`); this table is the contract. A new error code without
/// a row here, or a row that changed, fails the test, and every status used is in the README's
/// exit-code table.
@Suite struct ExitCodeTableTests {
    /// Every error code, as each module's error type makes it, with the exit status it must carry.
    static let expected: [String: LanyardSupport.ExitStatus] = [
        // Templates and badges: a broken bundle is invalid data; a missing file is missing input.
        "template.malformed": .invalidData, "template.manifest_missing": .inputMissing,
        "template.manifest_invalid": .invalidData, "template.checksum_mismatch": .invalidData, "template.unlisted_file": .invalidData,
        "template.asset_missing": .inputMissing, "template.asset_invalid": .invalidData, "template.font_missing": .invalidData,
        "render.failed": .internalError, "render.pdfa_failed": .internalError, "io.failed": .ioFailed,
        "event_config.unreadable": .inputMissing, "event_config.invalid_yaml": .invalidData, "event_config.missing_field": .invalidData,
        "event_config.wrong_type": .invalidData, "event_config.invalid_value": .invalidData, "event_config.unknown_field": .invalidData,
        "intake.file_unreadable": .inputMissing,
        "csv.unterminated_quote": .invalidData, "csv.text_after_closing_quote": .invalidData, "csv.invalid_utf8": .invalidData,
        "symbols.empty_input": .invalidData, "symbols.input_too_long": .invalidData, "symbols.invalid_character": .invalidData,
        "symbols.capacity_exceeded": .invalidData, "symbols.invalid_option": .invalidData, "symbols.invalid_matrix": .internalError,
        "symbols.invalid_placement": .invalidData, "symbols.encoder_failed": .internalError, "symbols.invalid_image": .invalidData,
        "symbols.decoder_failed": .internalError,
        "raster.dimension_mismatch": .internalError, "raster.compression_failed": .internalError,
        // Printers: which printer is a usage question; an unreachable one is unavailable.
        "printers.settings_invalid": .invalidData, "printers.raster_too_wide": .invalidData, "printers.language_unsupported": .invalidData,
        "printers.encoding_failed": .invalidData, "printers.malformed_job": .invalidData, "printers.configuration_invalid": .invalidData,
        "printers.profile_required": .usage, "printers.profile_unmatched": .invalidData, "printers.printer_ambiguous": .usage,
        "printers.profile_invalid": .invalidData, "printers.profile_unreadable": .inputMissing,
        "printers.profile_duplicate_id": .invalidData,
        "printers.profile_directory_empty": .invalidData, "printers.profile_not_found": .inputMissing,
        "printers.status_empty": .unavailable, "printers.status_unframed": .unavailable, "printers.status_truncated": .unavailable,
        "printers.status_too_long": .unavailable, "printers.status_missing_field": .unavailable,
        "printers.status_invalid_field": .unavailable,
        "printers.device_id_invalid": .unavailable,
        "transport.invalid_address": .usage, "transport.not_found": .unavailable, "transport.permission_denied": .noPermission,
        "transport.busy": .unavailable, "transport.timeout": .unavailable, "transport.disconnected": .unavailable,
        "transport.unsupported": .usage, "transport.io_failed": .unavailable,
        "simulator.malformed_job": .ioFailed, "simulator.output_failed": .ioFailed, "simulator.invalid_configuration": .invalidData,
        "ipp.invalid_uri": .usage, "ipp.unreachable": .unavailable, "ipp.no_answer": .unavailable, "ipp.malformed": .unavailable,
        "ipp.status": .unavailable,
        // The pipeline around them.
        "pipeline.input_unreadable": .inputMissing, "pipeline.output_failed": .ioFailed, "pipeline.printer_not_ready": .printerNotReady,
        "pipeline.badge_blocked": .contentErrors, "pipeline.format_unsupported": .usage,
        "pipeline.record_not_chosen": .usage,
        // State and sync.
        "store.open_failed": .ioFailed, "store.migration_failed": .ioFailed, "store.query_failed": .ioFailed,
        "store.invalid_value": .ioFailed,
        "store.queue_full": .ioFailed, "store.invalid_transition": .ioFailed, "store.not_found": .ioFailed,
        "store.job_not_finished": .ioFailed,
        "store.already_replayed": .ioFailed, "store.corrupt_record": .ioFailed, "store.cursor_mismatch": .ioFailed,
        "store.snapshot_stale": .ioFailed,
        "store.adjustment_decided": .ioFailed,
        "sync.metadata_invalid": .invalidData, "sync.signature_threshold": .invalidData, "sync.version_rollback": .invalidData,
        "sync.version_conflict": .invalidData, "sync.root_chain_broken": .invalidData, "sync.expired": .invalidData,
        "sync.mix_and_match": .invalidData, "sync.length_exceeded": .invalidData, "sync.hash_mismatch": .invalidData,
        "sync.key_invalid": .invalidData, "sync.target_invalid": .usage, "sync.io": .ioFailed, "sync.file_missing": .inputMissing,
        "sync.transport": .unavailable,
        "tuf.json_malformed": .invalidData, "tuf.metadata_invalid": .invalidData, "tuf.signature_threshold": .invalidData,
        "tuf.length_mismatch": .invalidData, "tuf.hash_mismatch": .invalidData, "tuf.key_invalid": .invalidData,
        "tuf.publish_refused": .invalidData, "tuf.file_exists": .ioFailed, "tuf.io": .ioFailed, "tuf.repository_busy": .inUse,
        "tuf.rollback": .invalidData, "tuf.expired": .invalidData, "tuf.bad_root_version": .invalidData,
        "tuf.version_mismatch": .invalidData, "tuf.length_exceeded": .invalidData, "tuf.delegation_not_found": .invalidData,
        "tuf.target_not_found": .inputMissing, "tuf.fetch_failed": .unavailable, "tuf.storage_failed": .ioFailed,
        "tuf.out_of_order": .internalError,
        // Servers.
        "registry.request_invalid": .usage, "registry.unauthorized": .noPermission, "registry.forbidden": .noPermission,
        "registry.signature_invalid": .noPermission,
        "registry.agent_key_mismatch": .noPermission, "registry.report_replayed": .invalidData, "registry.payload_too_large": .usage,
        "registry.not_found": .inputMissing, "registry.storage": .ioFailed,
        "registry.configuration_invalid": .invalidData, "registry.cursor_ahead": .invalidData, "registry.signing_unavailable": .unavailable,
        "registry.publication_refused": .usage,
        "agent.configuration_invalid": .invalidData, "agent.startup_failed": .internalError, "agent.request_invalid": .usage,
        "agent.not_found": .inputMissing, "agent.ticket_other_event": .invalidData, "agent.forbidden": .noPermission,
        "agent.unauthorized": .noPermission,
        "agent.queue_full": .printerNotReady,
        "agent.signature_invalid": .noPermission, "agent.rate_limited": .printerNotReady, "agent.data_directory_in_use": .inUse,
        "agent.listen_address_in_use": .unavailable,
        "agent.printer_unavailable": .printerNotReady, "agent.printer_busy": .printerNotReady, "agent.ladder_code_invalid": .invalidData,
        "agent.name_change_needs_staff": .noPermission, "agent.token_out_of_window": .noPermission, "agent.scope_missing": .noPermission,
        "agent.address_not_allowed": .noPermission, "agent.execution_timeout": .internalError, "agent.render_child_failed": .internalError,
        "listen.invalid": .invalidData, "listen.in_use": .unavailable, "listen.not_a_socket": .invalidData,
        "token_file.unreadable": .inputMissing, "token_file.empty": .invalidData, "token_file.unwritable": .ioFailed,
        "http.host_not_allowed": .noPermission, "http.cross_origin": .noPermission, "http.content_type_required": .usage,
    ]

    /// One error of every code of every error type.
    static var everyError: [any LanyardError] {
        var errors: [any LanyardError] = []
        errors += BadgeErrorCode.allCases.map { BadgeError($0, "m") }
        errors += EventConfigurationErrorCode.allCases.map { EventConfigurationError(code: $0, message: "m", file: "f", fieldPath: "p") }
        errors += IntakeFileErrorCode.allCases.map { IntakeFileError(code: $0, message: "m", file: "f") }
        errors += CSVErrorCode.allCases.map { CSVError(code: $0, message: "m", line: 1) }
        errors += SymbolErrorCode.allCases.map { SymbolError(code: $0, message: "m") }
        errors += RasterErrorCode.allCases.map { RasterError(code: $0, message: "m") }
        errors += PrintersErrorCode.allCases.map { PrintersError(code: $0, message: "m") }
        errors += ProfileError.Code.allCases.map { ProfileError(code: $0, problems: []) }
        errors += StatusParseErrorCode.allCases.map { StatusParseError($0, "m", field: "f") }
        errors += TransportErrorCode.allCases.map { TransportError($0, "m", address: "a") }
        errors += SimulatorErrorCode.allCases.map { SimulatorError($0, "m", session: 1) }
        errors += IPPErrorCode.allCases.map { IPPError($0, "m") }
        errors += PipelineErrorCode.allCases.map { PipelineError($0, "m") }
        errors += StoreErrorCode.allCases.map { StoreError($0, "m") }
        errors += SyncErrorCode.allCases.map { SyncError($0, "m") }
        errors += TUFErrorCode.allCases.map { TUFError($0, "m") }
        errors += RegistryErrorCode.allCases.map { RegistryError($0, "m") }
        errors += AgentErrorCode.allCases.map { AgentError($0, "m") }
        errors += ListenErrorCode.allCases.map { ListenError($0, "m", context: "a") }
        errors += TokenFileErrorCode.allCases.map { TokenFile.Failure($0, "m") }
        errors += BrowserBoundaryErrorCode.allCases.map { BrowserBoundaryError($0, "m") }
        return errors
    }

    @Test func everyErrorCodeCarriesItsExitStatus() {
        let errors = Self.everyError
        #expect(Set(errors.map(\.errorCode)).count == errors.count, "error codes are unique across modules")
        for error in errors {
            #expect(Self.expected[error.errorCode] == error.exitStatus, "\(error.errorCode): \(error.exitStatus)")
        }
        #expect(Set(Self.expected.keys) == Set(errors.map(\.errorCode)), "every row is a code that exists")
    }

    @Test func everyHTTPStatusIsAnErrorStatus() {
        for error in Self.everyError {
            #expect((400...599).contains(error.httpStatus), "\(error.errorCode): \(error.httpStatus)")
        }
        #expect(AgentError(.queueFull, "m").httpStatus == 429)
        #expect(StoreError(.jobNotFinished, "m").httpStatus == 409)
        #expect(RegistryError(.payloadTooLarge, "m").httpStatus == 413)
        #expect(ListenError(.inUse, "m", context: "a").httpStatus == 503)
    }

    /// The README's table lists exactly the statuses the command line can end with.
    @Test func theREADMEsExitCodeTableIsComplete() throws {
        let readme = try String(contentsOf: AgentHarness.repositoryRoot.appending(path: "README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "### Exit codes").last?.components(separatedBy: "\n## ").first)
        let documented = Set(
            section.split(separator: "\n").compactMap { line -> Int32? in
                guard line.hasPrefix("| ") else { return nil }
                return Int32(line.dropFirst(2).prefix { $0.isNumber })
            })
        #expect(documented == Set(LanyardSupport.ExitStatus.allCases.map(\.rawValue)))
    }

    /// docs/errors.md has one row per code, with the exit and HTTP status the code carries, and
    /// every module's catalog (`ErrorCodes.json`) is covered by `everyError`.
    @Test func docsErrorsListsEveryCodeWithItsStatuses() throws {
        let root = AgentHarness.repositoryRoot
        let page = try String(contentsOf: root.appending(path: "docs/errors.md"), encoding: .utf8)
        let rows = page.split(separator: "\n").filter { $0.hasPrefix("| `") }
        let errors = Self.everyError
        for error in errors {
            let row = "| `\(error.errorCode)` | \(error.exitStatus.rawValue) | \(error.httpStatus) | "
            #expect(rows.contains { $0.hasPrefix(row) }, "docs/errors.md: no row \(row)")
        }
        #expect(rows.count == errors.count, "docs/errors.md lists \(rows.count) codes, the modules have \(errors.count)")

        struct Catalog: Decodable {
            struct CodeEnum: Decodable { var codes: [Code] }
            struct Code: Decodable { var code: String }
            var enums: [CodeEnum]
        }
        let sources = root.appending(path: "Sources")
        var cataloged: Set<String> = []
        for module in try FileManager.default.contentsOfDirectory(atPath: sources.path) {
            let file = sources.appending(path: "\(module)/ErrorCodes.json")
            guard let data = FileManager.default.contents(atPath: file.path) else { continue }
            for codeEnum in try JSONDecoder().decode(Catalog.self, from: data).enums { cataloged.formUnion(codeEnum.codes.map(\.code)) }
        }
        // ProfileError keeps its own struct: it carries every problem of a directory of profiles.
        let uncataloged = Set(ProfileError.Code.allCases.map(\.rawValue))
        #expect(cataloged == Set(errors.map(\.errorCode)).subtracting(uncataloged))
    }
}
