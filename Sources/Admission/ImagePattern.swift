/// The audit's image reference rules (`ImageReference` in the image controls) as RE2 patterns, since
/// standard CEL cannot split strings: `[registry/]repository[:tag][@digest]`, where the first component
/// is a registry when it has a dot, a colon or an upper-case letter, or is `localhost`.
enum ImagePattern {
    static let registry = "(?:[^/@\\s]*[.:A-Z][^/@\\s]*|localhost)/"
    static let repository = "[a-z0-9._-]+(?:/[a-z0-9._-]+)*"
    static let tag = ":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
    static let digest = "@[^@:\\s]+:[^@\\s]+"

    /// A reference the audit can parse.
    static let valid = "^(?:\(registry))?\(repository)(?:\(tag))?(?:\(digest))?$"
    /// A parseable reference without a digest.
    static let undigested = "^(?:\(registry))?\(repository)(?:\(tag))?$"
    /// Within an undigested reference: it names a tag.
    static let tagged = "\(tag)$"

    /// Within a valid reference: a digest that pins one image (the audit's `isPinnedByDigest`). RE2 has
    /// no lookahead, so "another algorithm" is the generic form without a registered algorithm's name.
    static let registeredDigest = "@(?:sha256:[a-f0-9]{64}|blake3:[a-f0-9]{64}|sha512:[a-f0-9]{128})$"
    static let registeredAlgorithm = "@(?:sha256|sha512|blake3):"
    static let otherDigest = "@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$"

    /// CEL true when `entry` of `imageRepositoryAllowList` allows `image`, as the audit decides it: the
    /// entry is a prefix, at a path boundary, of the image as written or of its normalized form
    /// (`nginx` is `docker.io/library/nginx`, `index.docker.io/x/y` is `docker.io/x/y`). The normalized
    /// form is never built: each way of writing an image gets its own pattern over the image as written.
    static func allows(_ entry: String, image: String) -> String {
        CEL.any([allowsAsWritten(entry, image: image), allowsNormalized(entry, image: image)].compactMap { $0 })
    }

    static func allowsAsWritten(_ entry: String, image: String) -> String {
        "\(image).matches(\(CEL.string("^" + CEL.regexEscaped(entry) + boundary(after: entry))))"
    }

    /// Assumes a valid reference; nil when no valid reference's normalized form starts with `entry`.
    static func allowsNormalized(_ entry: String, image: String) -> String? {
        func matches(_ pattern: String) -> String { "\(image).matches(\(CEL.string(pattern)))" }
        let hubPrefix = "^(?:index\\.)?docker\\.io/"
        let hub = matches(hubPrefix)
        let explicitRegistry = matches("^" + registry)
        // One repository component: the normalized form inserts `library/`.
        let hubSingle = matches(hubPrefix + "[^/@]*(?:@|$)")
        let bareSingle = matches("^[^/@]*(?:@|$)")
        let cases: [(condition: String, normalizedPrefix: String, writtenPrefix: String)] = [
            ("\(hub) && !\(hubSingle)", "docker.io/", hubPrefix),
            ("\(hub) && \(hubSingle)", "docker.io/library/", hubPrefix),
            ("!\(explicitRegistry) && !\(bareSingle)", "docker.io/", "^"),
            ("!\(explicitRegistry) && \(bareSingle)", "docker.io/library/", "^"),
        ]
        var alternatives: [String] = []
        for (condition, normalizedPrefix, writtenPrefix) in cases {
            switch prefixTest(entry, normalizedPrefix: normalizedPrefix, writtenPrefix: writtenPrefix) {
            case nil: continue
            case ""?: alternatives.append(condition)
            case let pattern?: alternatives.append("\(condition) && \(matches(pattern))")
            }
        }
        return alternatives.isEmpty ? nil : CEL.any(alternatives)
    }

    /// Nothing when the entry ends with `/`; otherwise the entry must end the reference or be followed
    /// by `/`, `:` or `@`.
    static func boundary(after entry: String) -> String {
        entry.hasSuffix("/") ? "" : "(?:$|[/:@])"
    }

    /// For references whose normalized form is `normalizedPrefix` followed by what comes after
    /// `writtenPrefix` in the image as written: the pattern over the written image that makes `entry`
    /// a prefix of the normalized form; "" when every such image qualifies, nil when none does.
    static func prefixTest(_ entry: String, normalizedPrefix: String, writtenPrefix: String) -> String? {
        if entry.hasPrefix(normalizedPrefix) {
            let rest = String(entry.dropFirst(normalizedPrefix.count))
            return rest.isEmpty ? "" : writtenPrefix + CEL.regexEscaped(rest) + boundary(after: rest)
        }
        guard normalizedPrefix.hasPrefix(entry) else { return nil }
        let next = normalizedPrefix[normalizedPrefix.index(normalizedPrefix.startIndex, offsetBy: entry.count)]
        return entry.hasSuffix("/") || "/:@".contains(next) ? "" : nil
    }
}
