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
    public func list<Item: Decodable & Sendable>(_ path: String, as type: Item.Type, pageSize: Int = 500)
        async throws(APIError) -> [Item]
    {
        var restarts = 0
        while true {
            do {
                return try await listOnce(path, as: type, pageSize: pageSize)
            } catch .gone(let gonePath) {
                restarts += 1
                if restarts > 3 { throw .gone(path: gonePath) }
            }
        }
    }

    private func listOnce<Item: Decodable & Sendable>(_ path: String, as type: Item.Type, pageSize: Int)
        async throws(APIError) -> [Item]
    {
        var decodes: [Task<[Item], any Error>] = []
        defer { for task in decodes { task.cancel() } }
        var continueToken: String?
        repeat {
            var query = [("limit", String(pageSize))]
            if let continueToken { query.append(("continue", continueToken)) }
            let page = try await get(path, query: query)
            continueToken = try decode(ListMetadata.self, from: page, path: path).metadata?.continue
            if continueToken?.isEmpty == true { continueToken = nil }
            decodes.append(Task { try JSONDecoder().decode(ListItems<Item>.self, from: page).items ?? [] })
        } while continueToken != nil

        var items: [Item] = []
        for task in decodes {
            do {
                items += try await task.value
            } catch {
                throw .decoding(path: path, message: "\(error)")
            }
        }
        return items
    }
}
