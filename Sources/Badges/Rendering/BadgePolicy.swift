/// Lanyard's one policy for what a render's issues mean, used by every path that makes a badge:
/// `lanyard render`, `batch`, `print`, `printer test`, the agent's printer worker and its dry run
/// of a new template (docs/templates.md, "What stops a badge").
///
/// - A badge does not print when a code on it could not be made or does not fit (the attendee
///   would carry a badge nobody can scan), or when a font family the template names is neither in
///   the bundle nor installed (the name would come out in whatever font the system substitutes,
///   with missing glyphs for scripts it lacks). The agent then tries the next template tier; the
///   command line writes nothing and exits 1; a batch rejects that record at the render stage.
/// - Any other error (text outside the stock, a name that overflowed) still gives a badge that
///   prints, but the template needs fixing: commands exit 1 and `templates check` reports it.
/// - Warnings (a name shrunk to fit, a QR level lowered) are reported and change nothing.
extension RenderIssue {
    public var blocksPrinting: Bool {
        switch code {
        case .symbolEncodingFailed, .symbolDoesNotFit, .fontMissing: true
        case .textOverflow, .textEllipsized, .missingGlyphs, .qrDowngraded, .outsideStock, .outsideSafeArea, .unknownField, .iconsDoNotFit,
            .notAList:
            false
        case .qrModuleFloorUnmet: false
        }
    }
}

extension RenderIssue {
    /// Whether the template needs fixing: an error-severity issue, or one that blocks printing.
    public var isError: Bool { severity == .error || blocksPrinting }
}

extension Sequence<RenderIssue> {
    /// The first issue that keeps the badge from printing, if any.
    public var blockingIssue: RenderIssue? { first(where: \.blocksPrinting) }

    public var hasErrors: Bool { contains(where: \.isError) }
}

extension RenderedBadge {
    public var blockingIssue: RenderIssue? { issues.blockingIssue }
    public var hasErrors: Bool { issues.hasErrors }
}

extension BadgeRenderer {
    /// A problem with the template itself, found at load, that keeps every badge it would make
    /// from printing (a missing font family).
    public var blockingIssue: RenderIssue? { fontWarnings.blockingIssue }
}
