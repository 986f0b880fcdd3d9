extension String {
    /// `contains(pattern)`, byte by byte where that finds exactly what it finds: in ASCII without a
    /// carriage return every Character is one byte ("\r\n" is the one ASCII pair that makes a single
    /// Character); anything else takes the Character comparison. Controls of several families look for
    /// name and image patterns in every workload, and the Character search was most of their cost.
    func containsSubstring(_ pattern: String) -> Bool {
        let byBytes: Bool? = utf8.withContiguousStorageIfAvailable { text in
            pattern.utf8.withContiguousStorageIfAvailable { needle -> Bool? in
                guard text.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }), needle.allSatisfy({ $0 < 0x80 }) else {
                    return nil
                }
                return Self.bytes(text, contain: needle)
            } ?? nil
        } ?? nil
        return byBytes ?? contains(pattern)
    }

    private static func bytes(_ text: UnsafeBufferPointer<UInt8>, contain needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= text.count else { return false }
        for start in 0...(text.count - needle.count) where text[start] == first {
            var offset = 1
            while offset < needle.count, text[start + offset] == needle[offset] { offset += 1 }
            if offset == needle.count { return true }
        }
        return false
    }
}
