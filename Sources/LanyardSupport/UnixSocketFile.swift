import Glibc

/// A unix socket path left behind by a server that did not stop cleanly must be removed before
/// binding; one that a running server still answers on must not be.
public enum UnixSocketFile {
    public static func prepare(_ path: String) throws(ListenError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenError(.notASocket, "\(path) exists and is not a socket", context: "unix:\(path)")
        }
        if answers(path) {
            throw ListenError(.inUse, "another process is listening on \(path)", context: "unix:\(path)")
        }
        unlink(path)
    }

    private static func answers(_ path: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8.prefix(buffer.count - 1))
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
    }
}
