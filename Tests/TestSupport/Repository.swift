public import Foundation

/// What every test target shares: where the repository is (its templates, profiles and
/// fixtures), found from this file's path.
public enum Repository {
    public static let root = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
}
