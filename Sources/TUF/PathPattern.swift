/// The delegation path patterns as python-tuf matches them (`DelegatedRole.is_delegated_path`):
/// the target path and the pattern are split at every `/`, the part counts must be equal, and
/// each part must match its pattern part with Python's `fnmatch` (`*` any run of characters,
/// `?` one character, `[seq]` and `[!seq]` sets with ranges, an unclosed `[` literal, no escape).
/// So `*` never crosses a `/`: `a/*` matches `a/b` but not `a/b/c`, and `*` alone matches only
/// top-level names. Characters are Unicode scalars, as Python's are code points.
///
/// A set is read exactly as `fnmatch.translate` rewrites it into a regular expression and `re`
/// parses that: a range written backwards is dropped with its ends, and the few sets where Python
/// itself fails (an exception from `translate` or `re`) match nothing here.
enum PathPattern {
    static func matches(path: String, pattern: String) -> Bool {
        let pathParts = Array(path.unicodeScalars).split(separator: "/", omittingEmptySubsequences: false)
        let patternParts = Array(pattern.unicodeScalars).split(separator: "/", omittingEmptySubsequences: false)
        guard pathParts.count == patternParts.count else { return false }
        for (name, part) in zip(pathParts, patternParts) {
            guard let tokens = translate(Array(part)), matches(Array(name), tokens) else { return false }
        }
        return true
    }

    enum Token: Equatable {
        case literal(Unicode.Scalar)
        case anyOne
        case anyRun
        case set(ScalarSet)
        case nothing
    }

    struct ScalarSet: Equatable {
        var negated: Bool
        var ranges: [ClosedRange<UInt32>]

        func contains(_ scalar: Unicode.Scalar) -> Bool {
            ranges.contains { $0.contains(scalar.value) } != negated
        }
    }

    /// One character of a set's text as `translate` writes it: `escaped` when preceded by `\`.
    struct SetCharacter {
        var scalar: Unicode.Scalar
        var escaped: Bool
    }

    /// `fnmatch.translate`'s reading of one pattern part; nil where Python raises.
    static func translate(_ pattern: [Unicode.Scalar]) -> [Token]? {
        var tokens: [Token] = []
        var i = 0
        let n = pattern.count
        while i < n {
            let c = pattern[i]
            i += 1
            switch c {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
            case "?":
                tokens.append(.anyOne)
            case "[":
                var j = i
                if j < n, pattern[j] == "!" { j += 1 }
                if j < n, pattern[j] == "]" { j += 1 }
                while j < n, pattern[j] != "]" { j += 1 }
                if j >= n {
                    tokens.append(.literal("["))
                    continue
                }
                guard let token = setToken(pattern, from: i, to: j) else { return nil }
                tokens.append(token)
                i = j + 1
            default:
                tokens.append(.literal(c))
            }
        }
        return tokens
    }

    /// The set `pattern[start..<end]` (between `[` and `]`), as `translate` rewrites it and `re`
    /// then parses it.
    static func setToken(_ pattern: [Unicode.Scalar], from start: Int, to end: Int) -> Token? {
        var text: [SetCharacter] = []
        func escapedAppend(_ part: ArraySlice<Unicode.Scalar>, hyphens: Bool) {
            for scalar in part {
                let escape = scalar == "\\" || (hyphens && scalar == "-") || scalar == "&" || scalar == "~" || scalar == "|"
                text.append(SetCharacter(scalar: scalar, escaped: escape))
            }
        }
        let body = pattern[start..<end]
        if !body.contains("-") {
            escapedAppend(body, hyphens: false)
        } else {
            // Split at the hyphens that make ranges; a hyphen right after `[` or `[!`, or right after
            // a range, is a literal one.
            var chunks: [ArraySlice<Unicode.Scalar>] = []
            var i = start
            var k = pattern[start] == "!" ? start + 2 : start + 1
            while k < end, let hyphen = pattern[k..<end].firstIndex(of: "-") {
                chunks.append(pattern[i..<hyphen])
                i = hyphen + 1
                k = hyphen + 3
            }
            let last = pattern[i..<end]
            if !last.isEmpty {
                chunks.append(last)
            } else {
                chunks[chunks.count - 1] = chunks[chunks.count - 1] + ["-"]
            }
            // A backwards range is dropped together with both of its ends.
            var index = chunks.count - 1
            while index > 0 {
                guard let previousLast = chunks[index - 1].last, let first = chunks[index].first else { return nil }
                if previousLast.value > first.value {
                    chunks[index - 1] = chunks[index - 1].dropLast() + chunks[index].dropFirst()
                    chunks.remove(at: index)
                }
                index -= 1
            }
            for (position, chunk) in chunks.enumerated() {
                if position > 0 { text.append(SetCharacter(scalar: "-", escaped: false)) }
                escapedAppend(chunk, hyphens: true)
            }
        }
        if text.isEmpty { return .nothing }
        if text.count == 1, text[0].scalar == "!", !text[0].escaped { return .anyOne }
        var negated = false
        if text[0].scalar == "!" && !text[0].escaped {
            negated = true
            text.removeFirst()
        }
        // `re`'s reading of the class body: an item, optionally `-` and a second item for a range;
        // a `-` before the closing bracket is literal, and a backwards range is an error.
        var ranges: [ClosedRange<UInt32>] = []
        var position = 0
        while position < text.count {
            let low = text[position].scalar.value
            position += 1
            if position < text.count, text[position].scalar == "-", !text[position].escaped {
                position += 1
                guard position < text.count else {
                    ranges.append(low...low)
                    ranges.append(45...45)
                    break
                }
                let high = text[position].scalar.value
                position += 1
                guard low <= high else { return nil }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        return .set(ScalarSet(negated: negated, ranges: ranges))
    }

    /// Whole-name match, `*` taking any run (the greedy wildcard walk with one backtrack point is
    /// exact here: every piece between stars has a fixed length).
    static func matches(_ name: [Unicode.Scalar], _ tokens: [Token]) -> Bool {
        var nameIndex = 0
        var tokenIndex = 0
        var starToken: Int? = nil
        var starName = 0
        while nameIndex < name.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starName = nameIndex
                    tokenIndex += 1
                    continue
                case .anyOne:
                    nameIndex += 1
                    tokenIndex += 1
                    continue
                case .literal(let scalar) where scalar == name[nameIndex]:
                    nameIndex += 1
                    tokenIndex += 1
                    continue
                case .set(let set) where set.contains(name[nameIndex]):
                    nameIndex += 1
                    tokenIndex += 1
                    continue
                default:
                    break
                }
            }
            guard let star = starToken else { return false }
            starName += 1
            nameIndex = starName
            tokenIndex = star + 1
        }
        while tokenIndex < tokens.count, tokens[tokenIndex] == .anyRun { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }
}
