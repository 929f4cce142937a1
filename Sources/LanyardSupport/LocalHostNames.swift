import Glibc

/// The names a server on this box can be reached by without any configuration: loopback, the
/// host name (and `<name>.local`, as mDNS announces it), and the address of every interface.
public enum LocalHostNames {
    public static let loopback: Set<String> = ["localhost", "127.0.0.1", "::1"]

    public static func current() -> Set<String> {
        var names = loopback
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, buffer.count) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
            if !name.isEmpty { names.formUnion([name, "\(name).local"]) }
        }
        names.formUnion(interfaceAddresses())
        return names
    }

    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            // A link-local IPv6 address comes with its zone (`fe80::1%eth0`); a Host header has none.
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            addresses.append(String(text.prefix { $0 != "%" }))
        }
        return addresses
    }
}
