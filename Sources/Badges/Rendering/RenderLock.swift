import Synchronization

/// Serialises every use of cairo, Pango, fontconfig and FreeType in the process. Each renderer
/// has its own surfaces and font map, but the libraries share process-wide state underneath
/// (fontconfig's caches, cairo's font and glyph caches, FreeType faces), and concurrent renders
/// from two threads were seen to crash inside cairo. A badge takes a few milliseconds, so one
/// at a time costs a kiosk nothing.
enum RenderLock {
    private static let mutex = Mutex(())

    static func run<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        try mutex.withLock { _ throws(Failure) in try body() }
    }
}
