import Documents
import FoundationEssentials
import Synchronization

/// Where a snapshot being streamed goes: bytes appended in order, and cut back to an earlier length when
/// a kind already in it turns out void (its list started again, or failed).
public protocol SnapshotOutput: Sendable {
    func write(_ bytes: Data) throws
    func truncate(to length: Int) throws
}

/// A saved snapshot written while the cluster is still being listed (`lookout collect`): each page of
/// objects is encoded as soon as it is decoded, and written as soon as the file can take it, so that
/// little is left to do after the last page.
///
/// The file is the JSON object the snapshot encoder gives for the whole snapshot, its members in another
/// order (JSON does not order them, and the encoder's order is its hash table's, different in every run):
/// one kind's array at a time, kinds in the order they come, then the members that are not objects. One kind is written
/// page by page while it is listed (the first to send a page when the file is free: on a large cluster
/// the Pods, whose LIST is the longest); the pages of the others wait in memory, encoded, until it is
/// done or they are complete. A kind whose list restarts or fails is cut back out of the file.
public final class SnapshotStream: Sendable {
    /// A page as `encode` made it: its objects' JSON without the array's brackets, or why it did not encode.
    public typealias Page = Result<Data, EncodingFailure>

    public struct EncodingFailure: Error, CustomStringConvertible {
        public var description: String
    }

    private let output: any SnapshotOutput
    private let state: Mutex<State>

    private struct State {
        /// Bytes written so far.
        var length = 0
        /// Whether a member has been written after the opening brace.
        var hasMembers = false
        /// The kind whose array is open in the file, where its pages start and how many are written.
        var open: (kind: ResourceKind, start: Int, pages: Int)?
        /// Pages of kinds not open in the file, in order.
        var waiting: [ResourceKind: [Data]] = [:]
        /// Kinds whose every page came (listed) or that have none (not listed), waiting for the file.
        var complete: [ResourceKind] = []
        /// Kinds whose array is in the file.
        var written: Set<ResourceKind> = []
        /// The first failure: the stream then writes nothing more and `finish` throws it.
        var failure: (any Error)?
    }

    /// Starts the snapshot's JSON object in `output`.
    public init(output: any SnapshotOutput) throws {
        self.output = output
        try output.write(Data("{".utf8))
        state = Mutex(State(length: 1))
    }

    /// `objects` as a `Page`; called wherever the page was decoded.
    public static func encode<Object: KubeObject>(_ objects: [Object]) -> Page {
        do {
            return .success(try SnapshotFile.encoded(objects))
        } catch {
            return .failure(EncodingFailure(description: "cannot encode the snapshot: \(error)"))
        }
    }

    /// The next page of `kind`.
    public func received(_ page: Page, of kind: ResourceKind) {
        update { state in
            let bytes = try page.get()
            guard !bytes.isEmpty else { return }
            if state.open == nil, !state.written.contains(kind) { try open(kind, &state) }
            if state.open?.kind == kind {
                try writePage(bytes, &state)
            } else {
                state.waiting[kind, default: []].append(bytes)
            }
        }
    }

    /// The pages of `kind` received so far are void.
    public func restarted(_ kind: ResourceKind) {
        update { state in try void(kind, &state) }
    }

    /// Every page of `kind` came (`listed`), or it has none in the snapshot.
    public func finished(_ kind: ResourceKind, listed: Bool) {
        update { state in
            if !listed { try void(kind, &state) }
            if state.open?.kind == kind {
                try close(&state)
            } else {
                state.complete.append(kind)
            }
            guard state.open == nil else { return }
            for kind in state.complete { try writeWhole(kind, &state) }
            state.complete = []
            // The kind with the most pages waiting goes on in the file: the one most memory waits for.
            if let next = state.waiting.max(by: { $0.value.count < $1.value.count })?.key { try open(next, &state) }
        }
    }

    /// Ends the snapshot with `head`'s members other than the objects (cluster, kinds collected and not,
    /// kubelet configurations, scope, redaction…); every kind must have finished. Throws the first failure
    /// to encode or write.
    public func finish(head: ClusterSnapshot) throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            do {
                if state.open != nil { try close(&state) }
                for kind in state.complete { try writeWhole(kind, &state) }
                for kind in ResourceKind.allCases where !state.written.contains(kind) { try writeWhole(kind, &state) }
                var withoutObjects = head
                for kind in ResourceKind.allCases { withoutObjects.removeObjects(of: kind) }
                let encoded = try SnapshotFile.encoder().encode(withoutObjects)
                guard let members = encoded.withUnsafeBytes({ JSONScan.members($0.assumingMemoryBound(to: UInt8.self)) }) else {
                    throw EncodingFailure(description: "the snapshot's head is no JSON object")
                }
                for (key, value) in members where ResourceKind.bySnapshotKey[key] == nil {
                    try write(Data(memberStart(key, &state).utf8) + encoded[(encoded.startIndex + value.lowerBound)..<(encoded.startIndex + value.upperBound)], &state)
                }
                try write(Data("}".utf8), &state)
            } catch {
                state.failure = error
                throw error
            }
        }
    }

    /// Runs `body` unless the stream has failed; its failure is the stream's.
    private func update(_ body: (inout State) throws -> Void) {
        state.withLock { state in
            guard state.failure == nil else { return }
            do { try body(&state) } catch { state.failure = error }
        }
    }

    private func write(_ bytes: Data, _ state: inout State) throws {
        try output.write(bytes)
        state.length += bytes.count
    }

    /// `"key":` after a comma from the second member on.
    private func memberStart(_ key: String, _ state: inout State) -> String {
        defer { state.hasMembers = true }
        return (state.hasMembers ? "," : "") + "\"\(key)\":"
    }

    /// Opens `kind`'s array in the file, with the pages that were waiting.
    private func open(_ kind: ResourceKind, _ state: inout State) throws {
        try write(Data((memberStart(kind.snapshotKey, &state) + "[").utf8), &state)
        state.open = (kind, state.length, 0)
        for page in state.waiting.removeValue(forKey: kind) ?? [] { try writePage(page, &state) }
    }

    private func writePage(_ bytes: Data, _ state: inout State) throws {
        if state.open!.pages > 0 { try write(Data(",".utf8), &state) }
        try write(bytes, &state)
        state.open!.pages += 1
    }

    private func close(_ state: inout State) throws {
        try write(Data("]".utf8), &state)
        state.written.insert(state.open!.kind)
        state.open = nil
    }

    private func writeWhole(_ kind: ResourceKind, _ state: inout State) throws {
        try open(kind, &state)
        try close(&state)
    }

    /// Forgets the pages of `kind`, cutting them out of the file when its array is open there.
    private func void(_ kind: ResourceKind, _ state: inout State) throws {
        state.waiting[kind] = nil
        guard let open = state.open, open.kind == kind, open.pages > 0 else { return }
        try output.truncate(to: open.start)
        state.length = open.start
        state.open!.pages = 0
    }
}

extension ResourceKind {
    /// The key of the kind's objects in a saved snapshot.
    var snapshotKey: String {
        struct Key: SnapshotFieldVisitor {
            func visit<Object: KubeObject>(_ field: SnapshotField<Object>) -> String { field.key }
        }
        var key = Key()
        return visitField(&key)
    }
}
