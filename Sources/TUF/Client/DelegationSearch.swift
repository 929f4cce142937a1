/// One target's search through the delegation graph (specification 5.6.7): pre-order depth
/// first from the top-level targets role, each role's delegations in the order listed, only
/// those whose paths match, a terminating delegation dropping every role not yet visited, a role
/// visited once however many delegators reach it (so a cycle ends), and at most
/// `maximumRoles` roles visited beyond the first, as python-tuf counts them.
///
/// A state machine without I/O: the caller loads each role `nextRole()` names (from disk, the
/// network or memory) and hands it to `visit`.
public struct DelegationSearch: Sendable {
    public let path: String
    public let maximumRoles: Int
    /// Roles still to visit, the next one last, each with the role that delegates to it.
    private var pending: [(role: String, delegator: String)] = [(Root.targetsRole, "root")]
    private var visited: Set<ExactName> = []

    public init(path: String, maximumRoles: Int) {
        self.path = path
        self.maximumRoles = maximumRoles
    }

    /// The next role to load and its delegator; nil when the search is over without a match.
    public mutating func nextRole() -> (role: String, delegator: String)? {
        while visited.count <= maximumRoles, let next = pending.popLast() {
            if !visited.contains(ExactName(next.role)) { return next }
        }
        return nil
    }

    /// The target, when `targets` (the role `nextRole()` named) lists the path; otherwise the
    /// role's matching delegations are queued.
    public mutating func visit(_ targets: Targets, role: String) -> TargetFile? {
        if let found = targets.targets[path] { return found }
        visited.insert(ExactName(role))
        guard let delegations = targets.delegations else { return nil }
        var children: [(role: String, delegator: String)] = []
        for delegated in delegations.roles where delegated.isDelegated(path: path) {
            children.append((delegated.name, role))
            if delegated.terminating {
                pending.removeAll()
                break
            }
        }
        pending.append(contentsOf: children.reversed())
        return nil
    }
}
