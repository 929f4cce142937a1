internal import CLibUSB

/// libusb status codes and their translation into `TransportError`. Call only on a context's
/// worker thread (it asks libusb for the error's name).
enum USBStatus {
    static let success: Int32 = 0
    static let io = LIBUSB_ERROR_IO.rawValue
    static let access = LIBUSB_ERROR_ACCESS.rawValue
    static let noDevice = LIBUSB_ERROR_NO_DEVICE.rawValue
    static let notFound = LIBUSB_ERROR_NOT_FOUND.rawValue
    static let busy = LIBUSB_ERROR_BUSY.rawValue
    static let timeout = LIBUSB_ERROR_TIMEOUT.rawValue
    static let pipe = LIBUSB_ERROR_PIPE.rawValue
    static let notSupported = LIBUSB_ERROR_NOT_SUPPORTED.rawValue

    /// Where to find the rule that lets a non-root user open USB printers.
    static let udevRule = "systemd/60-lanyard-printers.rules"

    /// libusb's name and description of `status`, e.g. `LIBUSB_ERROR_ACCESS: Access denied (insufficient permissions)`.
    static func describe(_ status: Int32) -> String {
        "\(String(cString: libusb_error_name(status))): \(String(cString: libusb_strerror(status)))"
    }

    /// The transport error for a failed libusb call. `action` says what was being done
    /// ("cannot open 0a5f:0179 on bus 1 address 2").
    static func error(_ status: Int32, _ action: String, address: String? = nil, bytesWritten: Int? = nil) -> TransportError {
        let cause = describe(status)
        switch status {
        case access:
            return TransportError(
                .permissionDenied,
                "\(action): permission denied. Install the udev rule \(udevRule) as /etc/udev/rules.d/60-lanyard-printers.rules, add this user to the lanyard group, run `udevadm control --reload-rules && udevadm trigger`, then log in again and re-plug the printer",
                address: address, cause: cause, bytesWritten: bytesWritten)
        case busy:
            return TransportError(
                .busy, "\(action): the printer's interface is held by another program or driver (CUPS, another Lanyard)",
                address: address, cause: cause, bytesWritten: bytesWritten)
        case timeout:
            return TransportError(
                .timeout, "\(action): the printer did not respond in time", address: address, cause: cause, bytesWritten: bytesWritten)
        case noDevice:
            return TransportError(
                .disconnected, "\(action): the printer was unplugged", address: address, cause: cause, bytesWritten: bytesWritten)
        case notFound:
            return TransportError(.notFound, "\(action): not found", address: address, cause: cause, bytesWritten: bytesWritten)
        default:
            return TransportError(.ioFailed, action, address: address, cause: cause, bytesWritten: bytesWritten)
        }
    }
}
