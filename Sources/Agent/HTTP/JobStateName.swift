public import Store

extension JobState {
    /// The state's name in the HTTP API (docs/openapi.yaml, docs/agent.md): snake_case, like every
    /// other name the API returns. The raw value is the store's column value (`manualReview`),
    /// which must not leak: a client waiting for `manual_review` would wait forever.
    public var apiName: String {
        switch self {
        case .queued: "queued"
        case .sending: "sending"
        case .sent: "sent"
        case .printed: "printed"
        case .manualReview: "manual_review"
        case .deadLettered: "dead_lettered"
        case .cancelled: "cancelled"
        }
    }
}
