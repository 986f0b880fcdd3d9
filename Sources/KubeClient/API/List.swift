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

extension KubeAPI {
    /// Lists every object at `path`, `pageSize` at a time, following `continue`. Each page is decoded in
    /// its own task while the next one is fetched, so decoding overlaps the API server's work. A 410 Gone
    /// (the continuation expired) restarts the list from the beginning.
    /// `fieldSelector` narrows the list on the server (e.g. `metadata.namespace!=kube-system`).
    public func list<Item: Decodable & Sendable>(
        _ path: String, as type: Item.Type, pageSize: Int = 500, fieldSelector: String? = nil
    ) async throws(APIError) -> [Item] {
        var restarts = 0
        while true {
            do {
                return try await listOnce(path, as: type, pageSize: pageSize, fieldSelector: fieldSelector)
            } catch .gone(let gonePath) {
                restarts += 1
                if restarts > 3 { throw .gone(path: gonePath) }
            }
        }
    }

    /// Pages decoding while the next is fetched: the overlap of decoding and fetching, with the memory of
    /// two pages rather than of the whole list.
    static let maxPagesDecoding = 2

    private func listOnce<Item: Decodable & Sendable>(_ path: String, as type: Item.Type, pageSize: Int, fieldSelector: String?)
        async throws(APIError) -> [Item]
    {
        var decodes: [Task<[Item], any Error>] = []
        defer { for task in decodes { task.cancel() } }
        var items: [Item] = []
        func collectOldestDecode() async throws(APIError) {
            do {
                items += try await decodes.removeFirst().value
            } catch {
                throw .decoding(path: path, message: "\(error)")
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
            if continueToken?.isEmpty == true { continueToken = nil }
            if let continueToken, !seenTokens.insert(continueToken).inserted {
                throw .protocolViolation(
                    path: path, message: "the API server sent a continue token it had already sent; the list would never end")
            }
            decodes.append(Task { try JSONDecoder().decode(ListItems<Item>.self, from: page).items ?? [] })
            // Pages arrive faster than they decode: holding every undecoded page would hold the whole
            // kind's JSON at once. A page waits only while the previous one is still decoding.
            while decodes.count > Self.maxPagesDecoding { try await collectOldestDecode() }
        } while continueToken != nil

        while !decodes.isEmpty { try await collectOldestDecode() }
        return items
    }

    /// One page and its continue token. A body that does not parse — cut short by a proxy, or by a
    /// reset the transport did not notice — is fetched again like a transport error, a bounded number
    /// of times: one bad answer must not cost a whole kind.
    private func fetchPage(_ path: String, query: [(String, String)]) async throws(APIError) -> (Data, String?) {
        var attempt = 0
        while true {
            attempt += 1
            let page = try await get(path, query: query)
            do throws(APIError) {
                return (page, try decode(ListMetadata.self, from: page, path: path).metadata?.continue)
            } catch {
                guard attempt < maxAttempts else { throw error }
                await Self.sleep(seconds: Self.backoff(attempt))
            }
        }
    }
}
