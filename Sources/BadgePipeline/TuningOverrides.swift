public import Badges
public import Printers
public import Store

/// Darkness, speed and the QR module floor for one job on one printer: the technician's tuning stored for the printer,
/// then explicit values (a command-line option) on top, then the profile clamps them when the
/// label is encoded. The printer worker and every command that prints take their settings here.
public struct TuningOverrides: Sendable {
    public var overrides: JobOverrides
    /// What the stored tuning changes in the raster (its QR module floor).
    public var renderOptions: RenderOptions
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
        self.renderOptions = RenderOptions(minimumQRModuleDots: tuning?.qrModuleDots)
    }
}
