import Dispatch
import Documents
import FoundationEssentials
import Glibc
import Synchronization

/// Saved snapshots (`lookout collect`) read a piece at a time (`SnapshotStream` writes them page by
/// page). One `JSONDecoder` pass over a 100,000-pod snapshot held the file, the decoder's map of all of
/// it and the models at once (1.1 GB), on one core.
///
/// The reader goes through the snapshot without its objects (the "head": cluster, scope, collected kinds,
/// errors…, decoded by ClusterSnapshot's own Codable conformance, so every field it has is read as it
/// says) and decodes the objects of each kind in batches; the members may come in any order.
public enum SnapshotFile {
    /// Batches of about `batchBytes` of objects are decoded `decodersInParallel` at a time, the file
    /// read `chunkBytes` at a time: a few megabytes in memory beside the models.
    static let batchBytes = 1 << 21
    static let decodersInParallel = 4
    static let chunkBytes = 1 << 22
    /// Keys of a Kubernetes object or List, which a snapshot never has: reading stops at the first one.
    static let objectKeys: Set = ["apiVersion", "kind", "items"]

    /// The encoder of saved snapshots: slashes unescaped (URLs, image names and paths stay readable).
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// `objects` as the elements of a JSON array, without its brackets: by `SnapshotEncoder`, or by
    /// `JSONEncoder` where that does not decide.
    static func encoded<Object: Encodable>(_ objects: [Object]) throws -> Data {
        let array = try (try? SnapshotEncoder.encode(objects)) ?? encoder().encode(objects)
        return array.dropFirst().dropLast()
    }

    /// The snapshot saved in the file at `path`, read kind by kind; nil when the file is no snapshot (a
    /// Kubernetes object or List: it has their keys), cannot be read, or does not decode. The caller then
    /// reads the file whole, which names the file, line and field of a bad input.
    public static func read(path: String) -> ClusterSnapshot? {
        read(path: path, chunkBytes: chunkBytes, batchBytes: batchBytes)
    }

    static func read(path: String, chunkBytes: Int, batchBytes: Int) -> ClusterSnapshot? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        return readSnapshot(ChunkedInput(descriptor: descriptor, chunkBytes: chunkBytes), batchBytes: batchBytes)
    }

    private static func readSnapshot(_ input: ChunkedInput, batchBytes: Int) -> ClusterSnapshot? {
        guard input.nextNonSpace() == UInt8(ascii: "{") else { return nil }
        input.position += 1
        // The objects, by kind, until the head is decoded.
        var objects = ClusterSnapshot(cluster: ClusterInfo(server: ""))
        var kinds: Set<ResourceKind> = []
        var head = Array("{".utf8)
        while true {
            input.mark = input.position
            guard input.nextNonSpace() != nil else { return nil }
            input.mark = input.position
            guard let key = input.memberKey(), !Self.objectKeys.contains(key) else { return nil }
            if head.count > 1 { head.append(UInt8(ascii: ",")) }
            if let kind = ResourceKind.bySnapshotKey[key] {
                guard kinds.insert(kind).inserted, input.nextNonSpace() == UInt8(ascii: "[") else { return nil }
                input.position += 1
                head += Array("\"\(key)\":[]".utf8)
                var decoder = ArrayDecoder(input: input, batchBytes: batchBytes, objects: consume objects)
                let decoded = kind.visitField(&decoder)
                objects = decoder.objects
                guard decoded else { return nil }
            } else {
                guard input.nextNonSpace() != nil, let end = input.valueEnd() else { return nil }
                head += input.bytes[input.mark..<end]
                input.position = end
            }
            switch input.nextNonSpace() {
            case UInt8(ascii: ","): input.position += 1
            case UInt8(ascii: "}"):
                input.position += 1
                guard input.nextNonSpace() == nil, !input.failed else { return nil }
                head.append(UInt8(ascii: "}"))
                guard var snapshot = try? JSONDecoder().decode(ClusterSnapshot.self, from: Data(head)) else { return nil }
                var move = Move(from: objects, to: snapshot)
                for kind in kinds { kind.visitField(&move) }
                snapshot = move.to
                return snapshot
            default: return nil
            }
        }
    }

    /// Decodes the elements of one kind's array, the opening bracket read, into `objects`; false when
    /// they do not decode.
    private struct ArrayDecoder: SnapshotFieldVisitor {
        let input: ChunkedInput
        let batchBytes: Int
        var objects: ClusterSnapshot

        mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> Bool {
            var batches: [Data] = []
            func flush() -> Bool {
                guard let decoded = SnapshotFile.decode(batches, as: Object.self) else { return false }
                for batch in decoded { objects[keyPath: field.path] += batch }
                batches.removeAll()
                return true
            }
            // Elements from `input.mark` up to `input.mark + pending` wait to be cut into a batch.
            var pending = 0
            func cut() {
                var batch = Data(capacity: pending + 2)
                batch.append(UInt8(ascii: "["))
                batch.append(contentsOf: input.bytes[input.mark..<(input.mark + pending)])
                batch.append(UInt8(ascii: "]"))
                batches.append(batch)
                pending = 0
            }
            if input.nextNonSpace() == UInt8(ascii: "]") {
                input.position += 1
                return true
            }
            while true {
                guard input.nextNonSpace() != nil else { return false }
                if pending == 0 { input.mark = input.position }
                guard let end = input.valueEnd() else { return false }
                pending = end - input.mark
                input.position = end
                if pending >= batchBytes { cut() }
                if batches.count == SnapshotFile.decodersInParallel, !flush() { return false }
                switch input.nextNonSpace() {
                case UInt8(ascii: ","):
                    input.position += 1
                case UInt8(ascii: "]"):
                    input.position += 1
                    if pending > 0 { cut() }
                    return flush()
                default: return false
                }
            }
        }
    }

    /// Decodes batches at once, on as many cores as there are; nil when one does not decode.
    static func decode<Object: Decodable & Sendable>(_ batches: [Data], as type: Object.Type) -> [[Object]]? {
        if batches.count < 2 {
            return batches.isEmpty ? [] : (try? DirectJSONDecoder().decode([Object].self, from: batches[0])).map { [$0] }
        }
        let results = Mutex<[[Object]?]>(Array(repeating: nil, count: batches.count))
        DispatchQueue.concurrentPerform(iterations: batches.count) { index in
            let decoded = try? DirectJSONDecoder().decode([Object].self, from: batches[index])
            results.withLock { $0[index] = decoded }
        }
        let decoded = results.withLock { $0 }
        return decoded.contains { $0 == nil } ? nil : decoded.map { $0 ?? [] }
    }

    /// Moves each visited kind's objects from one snapshot to the other.
    struct Move: SnapshotFieldVisitor {
        var from: ClusterSnapshot
        var to: ClusterSnapshot
        mutating func visit<Object: KubeObject>(_ field: SnapshotField<Object>) {
            to[keyPath: field.path] = from[keyPath: field.path]
            from[keyPath: field.path] = []
        }
    }
}

/// A file read forward in chunks. Bytes before `mark` may be dropped when more are read, and indexes
/// (`position`, `mark`) move with the bytes they point at.
final class ChunkedInput {
    let descriptor: Int32
    let chunkBytes: Int
    private(set) var bytes: [UInt8] = []
    var position = 0
    var mark = 0
    private(set) var isFinal = false
    /// Reading the file failed (not its end).
    private(set) var failed = false

    init(descriptor: Int32, chunkBytes: Int) {
        self.descriptor = descriptor
        self.chunkBytes = chunkBytes
    }

    /// Reads the next chunk; false at the end of the file or when reading fails.
    private func readMore() -> Bool {
        guard !isFinal else { return false }
        if mark > 0 {
            bytes.removeSubrange(0..<mark)
            position -= mark
            mark = 0
        }
        // Read into uninitialised memory: zero-filling a whole chunk first cost a 4 MiB write per read
        // (and about a second per small file in debug builds, where the fill is element by element).
        var count = 0
        let chunk = [UInt8](unsafeUninitializedCapacity: chunkBytes) { buffer, initialized in
            repeat { count = Glibc.read(descriptor, buffer.baseAddress, chunkBytes) } while count < 0 && errno == EINTR
            initialized = max(count, 0)
        }
        bytes.append(contentsOf: chunk)
        if count <= 0 {
            isFinal = true
            failed = count < 0
        }
        return count > 0
    }

    /// The first byte at or after `position` that is not white space, `position` moved to it; nil at the end.
    func nextNonSpace() -> UInt8? {
        while true {
            while position < bytes.count, JSONScan.isSpace(bytes[position]) { position += 1 }
            if position < bytes.count { return bytes[position] }
            guard readMore() else { return nil }
        }
    }

    /// The end of the value at `position`, reading as far as it goes; nil when it is malformed or cut short.
    func valueEnd() -> Int? {
        while true {
            let end = bytes.withUnsafeBufferPointer { JSONScan.valueEnd($0, from: position, isFinal: isFinal) }
            switch end {
            case .at(let index): return index
            case .malformed: return nil
            case .incomplete: guard readMore() else { return nil }
            }
        }
    }

    /// The key at `position` (`"key" :`), `position` moved past the colon.
    func memberKey() -> String? {
        while true {
            switch bytes.withUnsafeBufferPointer({ JSONScan.memberKey($0, from: position) }) {
            case .key(let key, let next):
                position = next
                return key
            case .incomplete: guard readMore() else { return nil }
            case .unreadable: return nil
            }
        }
    }
}
