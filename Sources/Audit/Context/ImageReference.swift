/// A container image reference split the way the container runtime reads it:
/// `[registry/]repository[:tag][@digest]`, with Docker Hub's defaults filled in (`nginx` is
/// `docker.io/library/nginx`).
struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    var registry: String
    var repository: String
    var tag: String?
    var digest: String?

    init?(_ reference: String) {
        guard !reference.isEmpty, !reference.contains(where: { $0.isWhitespace }) else { return nil }
        var remainder = Substring(reference)
        if let at = remainder.firstIndex(of: "@") {
            let digest = remainder[remainder.index(after: at)...]
            guard let colon = digest.firstIndex(of: ":"), colon != digest.startIndex,
                  digest.index(after: colon) != digest.endIndex, !digest.contains("@")
            else { return nil }
            self.digest = String(digest)
            remainder = remainder[..<at]
        }
        // A tag follows the last colon after the last slash; a colon before it is a registry port.
        let nameStart = remainder.lastIndex(of: "/").map { remainder.index(after: $0) } ?? remainder.startIndex
        if let colon = remainder[nameStart...].lastIndex(of: ":") {
            let tag = remainder[remainder.index(after: colon)...]
            guard Self.isValidTag(tag) else { return nil }
            self.tag = String(tag)
            remainder = remainder[..<colon]
        }
        var components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty }) else { return nil }
        if components.count > 1, Self.isRegistry(components[0]) {
            registry = components.removeFirst()
        } else {
            registry = "docker.io"
        }
        if registry == "index.docker.io" { registry = "docker.io" }
        guard components.allSatisfy(Self.isValidPathComponent) else { return nil }
        if registry == "docker.io", components.count == 1 { components.insert("library", at: 0) }
        repository = components.joined(separator: "/")
    }

    /// Whether the digest names exactly one image: the registered OCI algorithms with their exact
    /// length in lower-case hex (sha256 and blake3: 64, sha512: 128), any other algorithm with at
    /// least 32 characters of encoded digest. A truncated or upper-case digest is not a pin: the
    /// runtime rejects it, or it matches nothing that was reviewed.
    var isPinnedByDigest: Bool {
        guard let digest else { return false }
        let wellFormed = #/sha256:[a-f0-9]{64}|blake3:[a-f0-9]{64}|sha512:[a-f0-9]{128}|(?!(sha256|sha512|blake3):)[a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}/#
        return (try? wellFormed.wholeMatch(in: digest)) != nil
    }

    /// `docker.io/library/nginx`: registry and repository, without tag or digest.
    var name: String { "\(registry)/\(repository)" }

    /// The last path component of the repository: `controller` for `registry.k8s.io/ingress-nginx/controller`.
    var imageName: String { repository.split(separator: "/").last.map(String.init) ?? repository }

    /// The fully qualified reference: `docker.io/library/nginx:1.25@sha256:…`.
    var description: String {
        name + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? "")
    }

    /// Docker's rule: the first component names a registry when it has a dot or a port, is
    /// `localhost`, or has an upper-case letter (repositories are lower-case).
    private static func isRegistry(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
            || component.contains(where: { $0.isUppercase })
    }

    private static func isValidPathComponent(_ component: String) -> Bool {
        component.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-"
        }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    private static func isValidTag(_ tag: Substring) -> Bool {
        guard let first = tag.unicodeScalars.first, tag.unicodeScalars.count <= 128, first != ".", first != "-" else {
            return false
        }
        return tag.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "." || scalar == "-")
        }
    }
}
