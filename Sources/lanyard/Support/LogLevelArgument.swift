public import ArgumentParser
public import Logging

/// `--log-level` takes swift-log's level names; anything else is a usage error that lists them,
/// rather than a silent fall back to `info`.
extension Logger.Level: @retroactive ExpressibleByArgument {}
