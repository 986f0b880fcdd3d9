import Documents
import FoundationEssentials

struct ListMetadata: Decodable {
    struct Meta: Decodable {
        var `continue`: String?
    }
    var metadata: Meta?
}

struct ListItems<Item: Decodable>: Decodable {
    var items: [Item]?
}

/// What a LIST hands over as it goes: each page's items, made into what the caller keeps of them, in
/// order; or word that the list starts again (410 Gone, or a first page fetched again came back as a new
/// list), so that every page received before is void.
public enum ListEvent<Page: Sendable>: Sendable {
    case page(Page)
    case restart
}

extension KubeAPI {
    /// Lists every object at `path`, `pageSize` at a time, following `continue`. Each page is decoded in
    /// its own task while the next one is fetched, so decoding overlaps the API server's work. A 410 Gone
    /// (the continuation expired) restarts the list from the beginning.
    /// `fieldSelector` narrows the list on the server (e.g. `metadata.namespace!=kube-system`).
    public func list<Item: Decodable & Sendable>(
        _ path: String, as type: Item.Type, pageSize: Int = 500, fieldSelector: String? = nil
    ) async throws(APIError) -> [Item] {
        var items: [Item] = []
        try await list(path, as: type, pageSize: pageSize, fieldSelector: fieldSelector, eachPage: { $0 }) { event in
            switch event {
            case .page(let page): items += page
            case .restart: items = []
            }
        }
        return items
    }

    /// Lists like `list`, handing each page to `receive` as soon as it and those before it are decoded:
    /// the caller does its own work on a kind while the rest of it is fetched. `eachPage` runs in the
    /// page's decoding task, so it runs in parallel with the fetch and other pages' work; `receive` gets
    /// its results in page order.
    public func list<Item: Decodable & Sendable, Page: Sendable>(
        _ path: String, as type: Item.Type, pageSize: Int = 500, fieldSelector: String? = nil,
        eachPage: @escaping @Sendable ([Item]) -> Page, receive: (ListEvent<Page>) async -> Void
    ) async throws(APIError) {
        var restarts = 0
        while true {
            do {
                return try await listOnce(path, as: type, pageSize: pageSize, fieldSelector: fieldSelector, eachPage: eachPage, receive: receive)
            } catch .gone(let gonePath) {
                restarts += 1
                if restarts > 3 { throw .gone(path: gonePath) }
                await receive(.restart)
            }
        }
    }

    /// Pages decoding while the next is fetched: the overlap of decoding and fetching, with the memory of
    /// two pages rather than of the whole list.
    static let maxPagesDecoding = 2

    /// A page on its way to its items: the request that fetched it, the continue token it gave, its decoding.
    private struct PageDecode<Page: Sendable> {
        var query: [(String, String)]
        var continueToken: String?
        var task: Task<Page, any Error>
    }

    private func listOnce<Item: Decodable & Sendable, Page: Sendable>(
        _ path: String, as type: Item.Type, pageSize: Int, fieldSelector: String?,
        eachPage: @escaping @Sendable ([Item]) -> Page, receive: (ListEvent<Page>) async -> Void
    ) async throws(APIError) {
        var decodes: [PageDecode<Page>] = []
        defer { for decode in decodes { decode.task.cancel() } }
        func collectOldestDecode() async throws(APIError) {
            let oldest = decodes.removeFirst()
            do {
                await receive(.page(try await oldest.task.value))
            } catch {
                let items = try await refetchPage(path, query: oldest.query, continueToken: oldest.continueToken, as: type, failure: error)
                await receive(.page(eachPage(items)))
            }
        }
        var continueToken: String?
        // A server that repeats or cycles tokens would keep this loop, and every page, for ever.
        var seenTokens: Set<String> = []
        repeat {
            var query = [("limit", String(pageSize))]
            if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
            if let continueToken { query.append(("continue", continueToken)) }
            let page: Data
            (page, continueToken) = try await fetchPage(path, query: query)
            if let continueToken, !seenTokens.insert(continueToken).inserted {
                throw .protocolViolation(
                    path: path, message: "the API server sent a continue token it had already sent; the list would never end")
            }
            decodes.append(PageDecode(
                query: query, continueToken: continueToken,
                task: Task { eachPage(try DirectJSONDecoder().decode(ListItems<Item>.self, from: page).items ?? []) }))
            // Pages arrive faster than they decode: holding every undecoded page would hold the whole
            // kind's JSON at once. A page waits only while the previous one is still decoding.
            while decodes.count > Self.maxPagesDecoding { try await collectOldestDecode() }
        } while continueToken != nil

        while !decodes.isEmpty { try await collectOldestDecode() }
    }

    /// One page and its continue token (nil on the last page). The token is read from the page's start,
    /// where the API server writes the list's metadata, so the next page is asked for without a pass over
    /// this one's items; their decoding checks the rest. A page that does not start that way is decoded
    /// for its metadata, and fetched again while it does not parse.
    private func fetchPage(_ path: String, query: [(String, String)]) async throws(APIError) -> (Data, String?) {
        var attempt = 0
        while true {
            attempt += 1
            let page = try await get(path, query: query)
            if let token = Self.continueTokenAtStart(of: page) { return (page, token.flatMap { $0.isEmpty ? nil : $0 }) }
            do throws(APIError) {
                let token = try decode(ListMetadata.self, from: page, path: path).metadata?.continue
                return (page, token?.isEmpty == false ? token : nil)
            } catch {
                guard attempt < maxAttempts else { throw error }
                await Self.sleep(seconds: Self.backoff(attempt))
            }
        }
    }

    /// A page whose items did not decode — cut short by a proxy, or by a reset the transport did not
    /// notice — is fetched again like a transport error, a bounded number of times in all: one bad answer
    /// must not cost a whole kind. The later pages were asked for with its continue token; should the page
    /// come back with another (the first page is a new list each time), the list starts again, as after
    /// 410 Gone, rather than join pages of two different lists.
    private func refetchPage<Item: Decodable & Sendable>(
        _ path: String, query: [(String, String)], continueToken: String?, as type: Item.Type, failure: any Error
    ) async throws(APIError) -> [Item] {
        var failure = failure
        for attempt in 1..<maxAttempts {
            await Self.sleep(seconds: Self.backoff(attempt))
            let (page, token) = try await fetchPage(path, query: query)
            guard token == continueToken else { throw .gone(path: path) }
            do {
                return try DirectJSONDecoder().decode(ListItems<Item>.self, from: page).items ?? []
            } catch {
                failure = error
            }
        }
        throw .decoding(path: path, message: "\(failure)")
    }

    /// The `metadata.continue` of a list page found at its start, before `items`: `.some(nil)` when the
    /// metadata has none; nil when the page does not start with scalar members and then the metadata
    /// object (the API server writes `{"kind":…,"apiVersion":…,"metadata":{…},"items":[…`).
    static func continueTokenAtStart(of page: Data) -> String?? {
        page.withUnsafeBytes { raw -> String?? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var index = JSONScan.skipSpace(bytes, from: 0)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return nil }
            index = JSONScan.skipSpace(bytes, from: index + 1)
            // kind and apiVersion come first; a few more small members are tolerated, never the items.
            for _ in 0..<8 {
                guard case .key(let key, let afterColon) = JSONScan.memberKey(bytes, from: index) else { return nil }
                let start = JSONScan.skipSpace(bytes, from: afterColon)
                // Any member before the metadata is a string or a scalar: never the items.
                guard start < bytes.count, key == "metadata" || (bytes[start] != UInt8(ascii: "{") && bytes[start] != UInt8(ascii: "[")),
                      case .at(let end) = JSONScan.valueEnd(bytes, from: start, isFinal: false) else { return nil }
                if key == "metadata" {
                    let metadata = Data(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    guard let meta = try? JSONDecoder().decode(ListMetadata.Meta.self, from: metadata) else { return nil }
                    return .some(meta.continue)
                }
                index = JSONScan.skipSpace(bytes, from: end)
                guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return nil }
                index = JSONScan.skipSpace(bytes, from: index + 1)
            }
            return nil
        }
    }
}
