public import Printers
public import Store

/// Darkness and speed for one job on one printer: the technician's tuning stored for the printer,
/// then explicit values (a command-line option) on top, then the profile clamps them when the
/// label is encoded. The printer worker and every command that prints take their settings here.
public struct TuningOverrides: Sendable {
    public var overrides: JobOverrides
    /// The stored tuning that applied, if any.
    public var tuning: PrinterTuning?
    /// Why the stored tuning could not be read; the job then prints with the profile's defaults,
    /// and the caller says so (a log line, a warning on the terminal).
    public var tuningUnreadable: String?

    public init(printerKey: String, store: LanyardStore?, darkness: Int? = nil, speed: Int? = nil) {
        var tuning: PrinterTuning?
        var unreadable: String?
        if let store {
            do { tuning = try store.currentTuning(printerKey: printerKey) } catch { unreadable = "\(error)" }
        }
        self.tuning = tuning
        self.tuningUnreadable = unreadable
        self.overrides = JobOverrides(darkness: darkness ?? tuning?.darkness, speedIPS: speed ?? tuning?.speedIPS)
    }
}
