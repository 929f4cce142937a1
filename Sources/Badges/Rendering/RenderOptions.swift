/// What a printer's stored tuning changes in the raster itself, beside the encoder's darkness and
/// speed: the same template, attendee and options give the same raster bytes.
public struct RenderOptions: Sendable, Equatable, Hashable, Codable {
    /// The smallest QR module, in printer dots, this printer's badges get (the scan-quality loop
    /// raises it when scans fail). The QR code is then drawn with at most `box / floor` modules
    /// across, at a lower error-correction level if that is what fits; a payload that fits no QR
    /// code at the floor is drawn as without it, with a warning on the element.
    public var minimumQRModuleDots: Int?

    public init(minimumQRModuleDots: Int? = nil) {
        self.minimumQRModuleDots = minimumQRModuleDots
    }

    enum CodingKeys: String, CodingKey { case minimumQRModuleDots = "minimum_qr_module_dots" }
}
