/// JSON string literals written byte for byte as `JSONEncoder` (with `.withoutEscapingSlashes`) writes
/// them: quote, backslash and the short escapes, `\u00xx` for the other control characters. The reports,
/// the snapshot encoder and the YAML reader's JSON all write strings through it, so no two of them can
/// escape alike by accident only.
package enum JSONStringLiteral {
    /// Appends `text`, quoted and escaped. `inScript` (the HTML page's data) escapes as the encoder's
    /// default does (`/` as `\/`) and writes `<` as `\u003c`, so that no text can close a `<script>` element.
    package static func append(_ text: String, to bytes: inout [UInt8], inScript: Bool = false) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs that need no escape are copied whole: most strings are one such run.
            var plainFrom = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
                    || (inScript && (byte == UInt8(ascii: "<") || byte == UInt8(ascii: "/"))) else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom..<index]))
                plainFrom = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
                case UInt8(ascii: "\n"): bytes.append(contentsOf: #"\n"#.utf8)
                case UInt8(ascii: "\r"): bytes.append(contentsOf: #"\r"#.utf8)
                case UInt8(ascii: "\t"): bytes.append(contentsOf: #"\t"#.utf8)
                case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
                case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
                case UInt8(ascii: "<"): bytes.append(contentsOf: #"\u003c"#.utf8)
                case UInt8(ascii: "/"): bytes.append(contentsOf: #"\/"#.utf8)
                default:
                    bytes.append(contentsOf: #"\u00"#.utf8)
                    bytes.append(hexDigits[Int(byte >> 4)])
                    bytes.append(hexDigits[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
