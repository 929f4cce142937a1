internal import CLibUSB
import Foundation
import Synchronization

/// Finding USB printers: a one-off listing, and a watch that reports printers arriving and
/// leaving.
public enum USBPrinterDiscovery {
    /// Every printer-class interface connected now, ordered by bus, address and interface.
    /// `timeout` bounds each request to a device (strings, device ID).
    public static func printers(timeout: Duration = .seconds(2)) async throws(TransportError) -> [USBPrinterInfo] {
        let context = try await USBContext(label: "lanyard-usb-ls")
        return try await context.perform { pointer throws(TransportError) in
            var found: [USBPrinterInfo] = []
            try USBScan.forEachDevice(pointer) { device in
                guard let summary = USBScan.summary(of: device) else { return }
                found += USBScan.infos(of: device, summary: summary, timeout: timeout)
            }
            return found.sorted { ($0.bus, $0.deviceAddress, $0.interfaceNumber) < ($1.bus, $1.deviceAddress, $1.interfaceNumber) }
        }
    }

    /// Printers arriving and leaving. The stream starts with an `.arrived` event for every
    /// printer already connected. libusb's hotplug notifications drive it where the platform
    /// has them; the device list is also re-checked every `pollInterval`, which is all there is
    /// where hotplug is missing. Watching stops when the stream is dropped or its consumer is
    /// cancelled.
    public static func watch(
        pollInterval: Duration = .seconds(2), timeout: Duration = .seconds(2)
    ) async throws(TransportError) -> AsyncStream<USBPrinterEvent> {
        let context = try await USBContext(label: "lanyard-usb-hp")
        let (stream, continuation) = AsyncStream.makeStream(of: USBPrinterEvent.self)
        let watcher = USBHotplugWatcher(context: context, continuation: continuation, pollInterval: pollInterval, timeout: timeout)
        try await watcher.start()
        continuation.onTermination = { _ in watcher.stop() }
        return stream
    }
}

/// Set by libusb's hotplug callback (on the worker thread, inside event handling), read by the
/// watch loop.
final class USBHotplugSignal: Sendable {
    let raised = Atomic(false)
}

/// libusb calls this with the watcher's signal as user data; it only raises the signal (a
/// callback may not open devices), the watch loop re-scans.
private let hotplugCallback: libusb_hotplug_callback_fn = { _, _, _, userData in
    if let userData {
        Unmanaged<USBHotplugSignal>.fromOpaque(userData).takeUnretainedValue().raised.store(true, ordering: .relaxed)
    }
    return 0
}

/// The state of one watch. Everything but `stop` runs on the context's worker thread.
final class USBHotplugWatcher: Sendable {
    private struct Known {
        /// Referenced `libusb_device *`: its address identifies the plug-in (libusb makes a new
        /// one for every arrival, and the reference keeps the address from being reused).
        var device: USBPointer
        var infos: [USBPrinterInfo]
    }

    private struct State {
        var known: [USBPointer: Known] = [:]
        var callback: libusb_hotplug_callback_handle?
        var nextScan = ContinuousClock.now
        var stopped = false
    }

    private let context: USBContext
    private let continuation: AsyncStream<USBPrinterEvent>.Continuation
    private let pollInterval: Duration
    private let timeout: Duration
    private let signal = USBHotplugSignal()
    private let state = Mutex(State())
    /// How long one round of event handling waits for the bus (so a stop waits at most this).
    static let eventSliceMicroseconds = 100_000
    static let eventSlice = Duration.microseconds(eventSliceMicroseconds)

    init(context: USBContext, continuation: AsyncStream<USBPrinterEvent>.Continuation, pollInterval: Duration, timeout: Duration) {
        self.context = context
        self.continuation = continuation
        self.pollInterval = max(pollInterval, Self.eventSlice)
        self.timeout = timeout
    }

    /// Registers for hotplug notifications, reports the printers present, then keeps watching
    /// whenever the worker has nothing else to do.
    func start() async throws(TransportError) {
        let signal = signal
        try await context.perform { [self] pointer throws(TransportError) in
            if libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG.rawValue) != 0 {
                var handle = libusb_hotplug_callback_handle()
                let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
                let status = libusb_hotplug_register_callback(
                    pointer.raw, events, 0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                    hotplugCallback, Unmanaged.passUnretained(signal).toOpaque(), &handle)
                guard status == 0 else { throw USBStatus.error(status, "cannot register for USB hotplug events") }
                state.withLock { $0.callback = handle }
            }
            try scan(pointer)
        }
        context.worker.setIdle { [self] in watchOnce() }
    }

    /// Ends the watch: the callback is deregistered and the devices released on the worker.
    func stop() {
        let pointer = context.pointer
        context.worker.enqueue { [self] in
            context.worker.setIdle(nil)
            let state = state.withLock { current in
                defer { current = State(stopped: true) }
                return current
            }
            guard !state.stopped else { return }
            if let callback = state.callback { libusb_hotplug_deregister_callback(pointer.raw, callback) }
            for known in state.known.values { libusb_unref_device(known.device.raw) }
            continuation.finish()
        }
    }

    private func watchOnce() {
        let pointer = context.pointer
        let hotplug = state.withLock { $0.callback != nil }
        if hotplug {
            var wait = timeval(tv_sec: 0, tv_usec: .init(Self.eventSliceMicroseconds))
            libusb_handle_events_timeout_completed(pointer.raw, &wait, nil)
        } else {
            Thread.sleep(forTimeInterval: 0.1)
        }
        let due = state.withLock { ContinuousClock.now >= $0.nextScan }
        guard signal.raised.exchange(false, ordering: .relaxed) || due else { return }
        // A failed listing is retried at the next poll; the watch itself goes on.
        try? scan(pointer)
    }

    /// Compares libusb's device list with the printers already reported.
    private func scan(_ pointer: USBPointer) throws(TransportError) {
        var present: [USBPointer: USBDeviceSummary] = [:]
        do {
            try USBScan.forEachDevice(pointer) { device in
                guard let summary = USBScan.summary(of: device) else { return }
                present[USBPointer(raw: libusb_ref_device(device))] = summary
            }
        } catch {
            for device in present.keys { libusb_unref_device(device.raw) }
            throw error
        }
        var known = state.withLock { $0.known }
        // Events in bus and address order, so several printers are reported predictably.
        let departed = known.filter { present[$0.key] == nil }
            .sorted {
                ($0.value.infos.first?.bus ?? 0, $0.value.infos.first?.deviceAddress ?? 0) < (
                    $1.value.infos.first?.bus ?? 0, $1.value.infos.first?.deviceAddress ?? 0
                )
            }
        for (device, entry) in departed {
            for info in entry.infos { continuation.yield(.departed(info)) }
            known[device] = nil
            libusb_unref_device(device.raw)
        }
        for (device, summary) in present.sorted(by: { ($0.value.bus, $0.value.address) < ($1.value.bus, $1.value.address) }) {
            if known[device] != nil {
                libusb_unref_device(device.raw)
                continue
            }
            let infos = USBScan.infos(of: device.raw, summary: summary, timeout: timeout)
            known[device] = Known(device: device, infos: infos)
            for info in infos { continuation.yield(.arrived(info)) }
        }
        let next = ContinuousClock.now.advanced(by: pollInterval)
        state.withLock {
            $0.known = known
            $0.nextScan = next
        }
    }
}
