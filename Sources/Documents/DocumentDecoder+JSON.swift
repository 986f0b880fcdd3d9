import FoundationEssentials

extension DocumentDecoder {
    /// Every document of a JSON or YAML file as `T`. JSON goes straight to `JSONDecoder`, which is
    /// fast on the large files (saved reports and snapshots, `kubectl get -o json` dumps) this is for;
    /// only when that fails is the text parsed as YAML, a superset of JSON, so that the error names
    /// the line and the field.
    public static func decodeAll<T: Decodable>(_ type: T.Type, data: Data, file: String) throws(ConfigError) -> [T] {
        let first = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if first == UInt8(ascii: "{"), let value = try? JSONDecoder().decode(type, from: data) {
            return [value]
        }
        return try decodeDocuments(type, text: String(decoding: data, as: UTF8.self), file: file)
    }
}
