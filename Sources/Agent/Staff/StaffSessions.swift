import Crypto
import CryptoExtras
public import Foundation
import LanyardSupport
import Synchronization

/// What a member of staff may do on the kiosk's pages. An admin may do everything; a technician
/// drives the printer; an operator handles jobs, dead letters, reviews and reprints.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    case technician, `operator`, admin

    func allows(_ needed: StaffRole) -> Bool { self == .admin || self == needed }
}

/// One member of staff in the agent's configuration: a name, a role and the hash of a PIN
/// (`lanyard hash-pin`), never the PIN itself.
public struct StaffMember: Sendable, Equatable, Decodable {
    public var name: String
    public var role: StaffRole
    public var pinHash: String

    enum CodingKeys: String, CodingKey { case name, role, pinHash = "pin_hash" }

    public init(name: String, role: StaffRole, pinHash: String) {
        self.name = name
        self.role = role
        self.pinHash = pinHash
    }
}

/// A PIN stored as `scrypt$N$r$p$<salt>$<key>` (base64): a short PIN is not a strong secret, so
/// the hash is slow and salted, and the online lockout (`StaffSessions`) is what stops guessing.
public enum PinHash {
    static let cost = (n: 16_384, r: 8, p: 1)

    public static func make(pin: String) throws -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let key = try derive(pin, salt: salt, n: cost.n, r: cost.r, p: cost.p)
        return "scrypt$\(cost.n)$\(cost.r)$\(cost.p)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `pin` is the one `hash` was made from; false for a malformed hash.
    public static func verify(pin: String, hash: String) -> Bool {
        let parts = hash.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5]),
            let key = try? derive(pin, salt: Array(salt), n: n, r: r, p: p)
        else { return false }
        return ConstantTime.equal(key, Array(expected))
    }

    static func derive(_ pin: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(pin.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }

    /// Whether `hash` has the shape `make` writes (checked when the configuration loads).
    static func isWellFormed(_ hash: String) -> Bool {
        let parts = hash.split(separator: "$")
        return parts.count == 6 && parts[0] == "scrypt" && parts[1...3].allSatisfy { Int($0) != nil }
            && Data(base64Encoded: String(parts[4])) != nil && Data(base64Encoded: String(parts[5])) != nil
    }
}

/// Staff signed in on this kiosk: a session cookie per sign-in, and the lockout that makes a PIN
/// unguessable at the screen. Five wrong PINs for a name lock that name for five minutes; twenty
/// wrong PINs across names within fifteen minutes lock every sign-in for five minutes.
public final class StaffSessions: Sendable {
    public struct Session: Sendable, Equatable {
        public let name: String
        public let role: StaffRole
        public let expires: Date
    }

    public enum SignIn: Sendable, Equatable {
        case signedIn(token: String, Session)
        case refused
        case locked(retryAfter: Int)
    }

    struct State {
        var sessions: [String: Session] = [:]
        var failures: [String: Int] = [:]
        var lockedUntil: [String: Date] = [:]
        var recentFailures: [Date] = []
        var everyoneLockedUntil: Date?
    }

    static let perNameFailures = 5
    static let globalFailures = 20
    static let globalWindow: TimeInterval = 15 * 60
    static let lockout: TimeInterval = 5 * 60
    public static let lifetime: TimeInterval = 8 * 3600

    let staff: [String: StaffMember]
    private let state = Mutex(State())
    /// A hash no PIN matches, checked for names nobody has.
    static let decoy = (try? PinHash.make(pin: UUID().uuidString)) ?? ""

    public init(staff: [StaffMember]) {
        self.staff = Dictionary(staff.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks a PIN (slow on purpose: run it off the cooperative pool).
    public func signIn(name: String, pin: String, now: Date = Date()) -> SignIn {
        let key = name.lowercased()
        if let wait = lockedFor(key, now: now) { return .locked(retryAfter: wait) }
        guard let member = staff[key] else {
            // An unknown name costs the same hash as a known one: timing does not tell names apart.
            _ = PinHash.verify(pin: pin, hash: Self.decoy)
            return recordFailure(key, now: now)
        }
        guard PinHash.verify(pin: pin, hash: member.pinHash) else { return recordFailure(key, now: now) }
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let session = Session(name: member.name, role: member.role, expires: now.addingTimeInterval(Self.lifetime))
        state.withLock { state in
            state.failures[key] = nil
            state.sessions = state.sessions.filter { $0.value.expires > now }
            state.sessions[token] = session
        }
        return .signedIn(token: token, session)
    }

    public func session(_ token: String, now: Date = Date()) -> Session? {
        state.withLock { state in state.sessions[token].flatMap { $0.expires > now ? $0 : nil } }
    }

    public func signOut(_ token: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: token) }
    }

    private func lockedFor(_ key: String, now: Date) -> Int? {
        state.withLock { state in
            let until = [state.lockedUntil[key], state.everyoneLockedUntil].compactMap { $0 }.filter { $0 > now }.max()
            return until.map { max(1, Int($0.timeIntervalSince(now).rounded(.up))) }
        }
    }

    private func recordFailure(_ key: String, now: Date) -> SignIn {
        state.withLock { state in
            state.failures[key, default: 0] += 1
            if state.failures[key, default: 0] >= Self.perNameFailures {
                state.failures[key] = 0
                state.lockedUntil[key] = now.addingTimeInterval(Self.lockout)
            }
            state.recentFailures = state.recentFailures.filter { now.timeIntervalSince($0) < Self.globalWindow } + [now]
            if state.recentFailures.count >= Self.globalFailures {
                state.recentFailures = []
                state.everyoneLockedUntil = now.addingTimeInterval(Self.lockout)
            }
        }
        return .refused
    }
}
