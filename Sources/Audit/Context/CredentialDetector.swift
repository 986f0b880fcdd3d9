import FoundationEssentials
import Inventory

/// The credential test of C-0012 and C-0259, built once per evaluation from the controls
/// configuration: a value is a credential when its name contains a `sensitiveKeyNames` entry or the
/// value matches a `sensitiveValues` pattern, and neither allow-list excuses it.
// @unchecked: `Regex` is not declared Sendable, but its lazily compiled program is initialised atomically
// (swift-experimental-string-processing #474), so matching from several threads at once is safe; the rest
// is immutable. `lookout collect` redacts pages on every core.
struct CredentialDetector: @unchecked Sendable {
    struct InvalidPattern: Error, CustomStringConvertible {
        var field: String
        var pattern: String
        var description: String { "invalid regular expression in controls config \(field): \"\(pattern)\"" }
    }

    /// Why a value counts as a credential.
    enum Finding: Equatable {
        case keyName(String)
        case value(pattern: String, base64: Bool)
    }

    struct ValuePattern {
        var source: String
        var regex: Regex<AnyRegexOutput>
        /// Lower-case ASCII text every match starts with. A byte scan finds where it occurs and the
        /// regex is tried only there: Swift's Regex searches a few MB/s, too slow for every byte of
        /// every ConfigMap (dashboards alone can be megabytes).
        var leadingLiteral: [UInt8]?
    }

    /// Lower-cased, as bytes: the standard library's `String.contains` is too slow for a check that
    /// runs on every env var of every container.
    let keyNames: [[UInt8]]
    let allowedKeyNames: [[UInt8]]
    let valuePatterns: [ValuePattern]
    let allowedValues: [(source: String, regex: Regex<AnyRegexOutput>)]

    init(_ config: ControlsConfig) throws(InvalidPattern) {
        keyNames = config.sensitiveKeyNames.map(Self.lowercasedBytes).filter { !$0.isEmpty }
        allowedKeyNames = config.sensitiveKeyNamesAllowed.map(Self.lowercasedBytes).filter { !$0.isEmpty }
        var patterns: [ValuePattern] = []
        for source in config.sensitiveValues {
            guard let regex = try? Regex(source) else { throw InvalidPattern(field: "sensitiveValues", pattern: source) }
            patterns.append(ValuePattern(source: source, regex: regex.ignoresCase(), leadingLiteral: Self.leadingLiteral(of: source)))
        }
        valuePatterns = patterns
        var allowed: [(String, Regex<AnyRegexOutput>)] = []
        for source in config.sensitiveValuesAllowed {
            guard let regex = try? Regex(source) else { throw InvalidPattern(field: "sensitiveValuesAllowed", pattern: source) }
            allowed.append((source, regex))
        }
        allowedValues = allowed
    }

    /// The literal prefix a pattern's matches must start with, lower-cased; nil when the pattern has
    /// none that is certain (it starts with a metacharacter, or uses alternation anywhere).
    static func leadingLiteral(of pattern: String) -> [UInt8]? {
        guard !pattern.contains("|") else { return nil }
        let metacharacters = Set("\\.^$|?*+()[]{}".utf8)
        let optionalQuantifiers = Set("?*{".utf8)
        var literal: [UInt8] = []
        for byte in pattern.utf8 {
            if metacharacters.contains(byte) || byte >= 0x80 {
                // `ab?` does not require the `b`.
                if optionalQuantifiers.contains(byte), !literal.isEmpty { literal.removeLast() }
                break
            }
            literal.append(asciiLowercased(byte))
        }
        return literal.isEmpty ? nil : literal
    }

    static func asciiLowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    static func lowercasedBytes(_ text: String) -> [UInt8] { text.utf8.map(asciiLowercased) }

    /// UTF-8 offsets where `needle` (lower-case ASCII) occurs in `text`, ignoring ASCII case, up to
    /// `limit` of them. Scans the string's own storage: this runs on every env var and ConfigMap value.
    static func occurrences(of needle: [UInt8], in text: String, limit: Int = .max) -> [Int] {
        guard let first = needle.first else { return [] }
        var text = text
        return text.withUTF8 { haystack in
            var offsets: [Int] = []
            guard haystack.count >= needle.count else { return offsets }
            var index = 0
            while index <= haystack.count - needle.count, offsets.count < limit {
                if asciiLowercased(haystack[index]) == first {
                    var matched = 1
                    while matched < needle.count, asciiLowercased(haystack[index + matched]) == needle[matched] { matched += 1 }
                    if matched == needle.count { offsets.append(index) }
                }
                index += 1
            }
            return offsets
        }
    }

    static func contains(_ needle: [UInt8], in text: String) -> Bool {
        !occurrences(of: needle, in: text, limit: 1).isEmpty
    }

    static let certificateBegin = lowercasedBytes("-----BEGIN CERTIFICATE-----")
    static let certificateEnd = lowercasedBytes("-----END CERTIFICATE-----")

    /// `text` without the base64 bodies of its PEM certificates. A certificate is public, and its random
    /// base64 contains short patterns such as "JWT" or "Bearer" by chance (the CA bundle in every
    /// namespace's kube-root-ca.crt did in about one cluster in ten); private key blocks are kept.
    static func withoutCertificateBodies(_ text: String) -> String {
        let begins = occurrences(of: certificateBegin, in: text)
        guard !begins.isEmpty else { return text }
        let ends = occurrences(of: certificateEnd, in: text)
        var kept: [UInt8] = []
        let bytes = Array(text.utf8)
        var position = 0
        for begin in begins where begin >= position {
            guard let end = ends.first(where: { $0 > begin }) else { break }
            kept += bytes[position..<begin + certificateBegin.count]
            position = end
        }
        kept += bytes[position...]
        return String(decoding: kept, as: UTF8.self)
    }

    /// The texts of `value` the patterns search, prepared once per value: the value and its base64
    /// decoding (computed only when asked for), each without certificate bodies.
    static func searchedTexts(of value: String) -> (clear: String, decoded: () -> String?) {
        (withoutCertificateBodies(value), { base64Decoded(value).map(withoutCertificateBodies) })
    }

    /// The first configured pattern that matches somewhere in `text` (one of `searchedTexts`).
    func matchingPattern(in text: String) -> String? {
        valuePatterns.first { Self.matches($0, in: text) }?.source
    }

    /// Every configured pattern that matches somewhere in `text` (one of `searchedTexts`).
    func matchingPatterns(in text: String) -> [String] {
        valuePatterns.filter { Self.matches($0, in: text) }.map(\.source)
    }

    static func matches(_ pattern: ValuePattern, in text: String) -> Bool {
        guard let literal = pattern.leadingLiteral else { return (try? pattern.regex.firstMatch(in: text)) != nil }
        return Self.occurrences(of: literal, in: text).contains { offset in
            let start = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
            return (try? pattern.regex.prefixMatch(in: text[start...])) != nil
        }
    }

    /// `text` decoded when it looks like base64 of UTF-8 text (as Kubescape tries for ConfigMaps).
    static func base64Decoded(_ text: String) -> String? {
        guard text.utf8.count >= 16, text.utf8.count % 4 == 0,
            text.utf8.allSatisfy({ $0.isBase64Character }),
            let data = Data(base64Encoded: text)
        else { return nil }
        return String(validating: data, as: UTF8.self)
    }

    /// Why `value`, stored under `name`, is a credential; nil when it is not, or is excused. Empty
    /// values, file paths and `$(VAR)` references hold no secret themselves.
    func finding(name: String, value: String) -> Finding? {
        guard Self.mayHoldACredential(value) else { return nil }
        let searched = Self.searchedTexts(of: value)
        return finding(
            name: name, pattern: { matchingPattern(in: searched.clear) },
            base64Pattern: { searched.decoded().flatMap(matchingPattern(in:)) },
            allowed: { allowedValues.contains { (try? $0.regex.firstMatch(in: value)) != nil } })
    }

    /// The same judgement from what `lookout collect` kept of a value it redacted.
    func finding(name: String, redacted: RedactedValue) -> Finding? {
        finding(
            name: name, pattern: { valuePatterns.first { redacted.matches.contains($0.source) }?.source },
            base64Pattern: { valuePatterns.first { redacted.base64Matches.contains($0.source) }?.source },
            allowed: { allowedValues.contains { redacted.allowedBy.contains($0.source) } })
    }

    /// A clear or a redacted value; nil for neither.
    func finding(name: String, value: String?, redacted: RedactedValue?) -> Finding? {
        if let value { return finding(name: name, value: value) }
        return redacted.flatMap { finding(name: name, redacted: $0) }
    }

    private func finding(name: String, pattern: () -> String?, base64Pattern: () -> String?, allowed: () -> Bool) -> Finding? {
        let finding: Finding
        if let key = keyNames.first(where: { Self.contains($0, in: name) }) {
            finding = .keyName(String(decoding: key, as: UTF8.self))
        } else if let pattern = pattern() {
            finding = .value(pattern: pattern, base64: false)
        } else if let pattern = base64Pattern() {
            finding = .value(pattern: pattern, base64: true)
        } else {
            return nil
        }
        if allowedKeyNames.contains(where: { Self.contains($0, in: name) }) { return nil }
        if allowed() { return nil }
        return finding
    }

    static func mayHoldACredential(_ value: String) -> Bool {
        !value.isEmpty && !value.hasPrefix("/") && !isVariableReference(value)
    }

    /// What `lookout collect` keeps in place of `value` when it looks like a credential (its name holds a
    /// sensitive key name, or it matches a pattern): every pattern's result, since a later scan may order
    /// or excuse them differently. Nil for a value that does not, which stays in clear.
    func redaction(name: String, value: String) -> RedactedValue? {
        guard Self.mayHoldACredential(value) else { return nil }
        let searched = Self.searchedTexts(of: value)
        let matches = matchingPatterns(in: searched.clear)
        let base64Matches = searched.decoded().map(matchingPatterns(in:)) ?? []
        guard keyNames.contains(where: { Self.contains($0, in: name) }) || !matches.isEmpty || !base64Matches.isEmpty else { return nil }
        return RedactedValue(
            matches: matches, base64Matches: base64Matches,
            allowedBy: allowedValues.filter { (try? $0.regex.firstMatch(in: value)) != nil }.map(\.source))
    }

    /// A pattern of this configuration that `rules` did not check redacted values against.
    func patternUnchecked(by rules: RedactionRules?) -> String? {
        let values = Set(rules?.sensitiveValues ?? []), allowed = Set(rules?.sensitiveValuesAllowed ?? [])
        return valuePatterns.map(\.source).first { !values.contains($0) } ?? allowedValues.map(\.source).first { !allowed.contains($0) }
    }

    static func isVariableReference(_ value: String) -> Bool {
        value.hasPrefix("$(") && value.hasSuffix(")") && !value.contains(" ")
    }
}

extension UInt8 {
    fileprivate var isBase64Character: Bool {
        (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || (self >= 0x30 && self <= 0x39)
            || self == 0x2B || self == 0x2F || self == 0x3D
    }
}
