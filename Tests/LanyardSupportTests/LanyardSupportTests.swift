import Foundation
import Testing

@testable import LanyardSupport

@Suite struct TimestampTests {
    @Test func timestampsAreWrittenByHandInUTC() {
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: 1_835_395_200.5)) == "2028-02-29T00:00:00.500Z")
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: 951_868_799.999)) == "2000-02-29T23:59:59.999Z")
        #expect(Timestamps.iso8601(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
    }

    @Test func whatIsWrittenReadsBackToTheMillisecond() throws {
        for seconds in [0.0, 1_835_395_200.5, 951_868_799.999, 1_796_000_000.123] {
            let date = Date(timeIntervalSince1970: seconds)
            let read = try #require(Timestamps.parse(Timestamps.iso8601(date)))
            #expect(abs(read.timeIntervalSince1970 - seconds) < 0.0005)
        }
        #expect(Timestamps.parse("2026-12-07T08:00:00Z") == Date(timeIntervalSince1970: 1_796_630_400))
        #expect(Timestamps.parse("yesterday") == nil)
    }
}

@Suite struct JSONLogLineTests {
    @Test func aLineIsOneJSONObjectWithItsKeysInOrder() throws {
        let line = JSONLogHandler.line(["message": "quote \" backslash \\ newline \n tab \t bell \u{7} é 直", "at": "x", "job": "12"])
        #expect(line.hasPrefix(#"{"at":"x","job":"12","message":"#))
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "quote \" backslash \\ newline \n tab \t bell \u{7} é 直")
        #expect(object.count == 3)
    }
}

@Suite struct ListenAddressTests {
    @Test func theFormsAListenAddressTakes() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:8080") == .tcp(host: "127.0.0.1", port: 8080))
        #expect(try ListenAddress(parsing: ":9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(try ListenAddress(parsing: "[::1]:80") == .tcp(host: "::1", port: 80))
        #expect(try ListenAddress(parsing: "unix:/run/lanyard/agent.sock") == .unixSocket(path: "/run/lanyard/agent.sock"))
        #expect(ListenAddress.tcp(host: "::1", port: 80).description == "[::1]:80")
        #expect(ListenAddress.tcp(host: "::1", port: 0).clientURL(boundPort: 4312) == "http://[::1]:4312")
    }

    @Test(arguments: ["localhost", "127.0.0.1:99999", "unix:relative.sock", "host:port"])
    func aMalformedAddressIsRefusedByName(_ text: String) {
        #expect { try ListenAddress(parsing: text) } throws: { error in
            guard let error = error as? ListenError else { return false }
            return error.code == .invalid && error.context == text && error.exitStatus == .invalidData
        }
    }

    @Test func aFileInTheWayOfASocketIsNotRemoved() throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "lanyard-not-a-socket-\(UUID().uuidString)").path
        try Data("keep".utf8).write(to: URL(filePath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ListenError.self) { try UnixSocketFile.prepare(path) }
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

@Suite struct SystemdNotifyTests {
    @Test func outsideSystemdEveryNotificationIsANoOp() {
        let notify = SystemdNotify(environment: [:], processID: 42)
        #expect(!notify.isEnabled)
        #expect(!notify.ready(status: "serving"))
        #expect(notify.watchdogInterval == nil)
    }

    @Test func theWatchdogIsPingedAtHalfItsTimeoutOnlyForThisProcess() {
        let mine = SystemdNotify(
            environment: ["NOTIFY_SOCKET": "@lanyard", "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "42"], processID: 42)
        #expect(mine.socketPath == [0] + Array("lanyard".utf8))
        #expect(mine.watchdogInterval == .seconds(5))
        let another = SystemdNotify(
            environment: ["NOTIFY_SOCKET": "/run/notify", "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "7"], processID: 42)
        #expect(another.watchdogInterval == nil)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": "relative"], processID: 42).socketPath == nil)
    }

    @Test func aNotificationReachesTheSocketSystemdGave() throws {
        let path = "/tmp/lanyard-notify-\(UUID().uuidString.prefix(8))"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(receiver >= 0)
        defer {
            close(receiver)
            unlink(path)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(SystemdNotify(environment: ["NOTIFY_SOCKET": path], processID: 42).ready(status: "serving on\nhttp://x"))
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "READY=1\nSTATUS=serving on http://x")
    }
}
