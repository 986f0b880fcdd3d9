import CCurl
import FoundationEssentials

/// libcurl's global state must exist before the first handle and be set up exactly once; a Swift
/// global is initialised lazily, exactly once, even when several threads race to it.
private let globalInitialization: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// One libcurl easy handle and the connection cache inside it. Not thread-safe: exactly one transfer
/// thread owns it for its whole life.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    /// CURLOPT_ERRORBUFFER: libcurl's specific message for the last failure, far more useful than
    /// curl_easy_strerror's generic one.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(TransportError) {
        guard globalInitialization == CURLE_OK else {
            throw .other("libcurl failed to initialise (\(String(cString: curl_easy_strerror(globalInitialization))))")
        }
        guard let handle = curl_easy_init() else { throw .other("libcurl could not allocate a handle") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Applies the transport-wide options. `CurlTransport.init` runs it once on a spare handle so that
    /// an option this libcurl build lacks (the blobs need 7.77 and a TLS backend that supports them)
    /// is reported before any request.
    func configure(_ configuration: CurlConfiguration) throws(TransportError) {
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // Otherwise libcurl times DNS lookups out with SIGALRM and flips the SIGPIPE disposition
        // around every call, neither of which is safe while other threads run. On Linux it writes
        // with MSG_NOSIGNAL, so no SIGPIPE arrives anyway.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        // client-go's dialer probes idle connections every 30 s as well.
        try set(CURLOPT_TCP_KEEPIDLE, 30)
        try set(CURLOPT_TCP_KEEPINTVL, 30)
        // "" offers every encoding this libcurl can decode (gzip among them) and decodes the body.
        try set(CURLOPT_ACCEPT_ENCODING, "")
        // A proxy's "200 Connection established" would otherwise arrive as a second status line.
        try set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        try set(CURLOPT_USERAGENT, configuration.userAgent)
        try set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeoutMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, configuration.requestTimeoutMilliseconds)
        if configuration.lowSpeedTimeSeconds > 0 {
            try set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try set(CURLOPT_LOW_SPEED_TIME, configuration.lowSpeedTimeSeconds)
        }
        // Left unset, CURLOPT_PROXY and CURLOPT_NOPROXY make libcurl read the proxy environment
        // variables. An explicit proxy-url applies to every host, as in client-go, so NO_PROXY is
        // switched off with it.
        if let proxyURL = configuration.proxyURL {
            try set(CURLOPT_PROXY, proxyURL)
            try set(CURLOPT_NOPROXY, "")
        }
        try configureTLS(configuration.tls)
        try check(lookout_curl_setopt_write_function(handle, receiveBody), CURLOPT_WRITEFUNCTION)
        try check(lookout_curl_setopt_header_function(handle, receiveHeader), CURLOPT_HEADERFUNCTION)
        try check(lookout_curl_setopt_xferinfo_function(handle, reportProgress), CURLOPT_XFERINFOFUNCTION)
        try set(CURLOPT_NOPROGRESS, 0)
    }

    private func configureTLS(_ tls: TLSOptions) throws(TransportError) {
        if tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0)
            try set(CURLOPT_SSL_VERIFYHOST, 0)
        } else if let authority = tls.certificateAuthorityPEM {
            try set(CURLOPT_CAINFO_BLOB, blob: authority)
            // The blob takes the place of the built-in CA file, but libcurl 7.88 still trusts every CA
            // in the built-in directory (/etc/ssl/certs on Debian) next to it. Clearing both makes the
            // given CA the only one trusted, as in client-go.
            try set(CURLOPT_CAINFO, nil)
            try set(CURLOPT_CAPATH, nil)
        }
        if let certificate = tls.clientCertificatePEM {
            try set(CURLOPT_SSLCERT_BLOB, blob: certificate)
            try set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPEM {
            try set(CURLOPT_SSLKEY_BLOB, blob: key)
            try set(CURLOPT_SSLKEYTYPE, "PEM")
        }
    }

    /// Runs one request to completion on the calling thread, reusing a cached connection when one fits.
    func perform(
        _ request: PreparedRequest, configuration: CurlConfiguration, cancellation: CancellationFlag
    ) -> Result<HTTPResponse, TransportError> {
        // Options from the previous request must not leak into this one; the reset keeps the
        // connection, DNS and TLS session caches.
        curl_easy_reset(handle)
        let headers = CurlStringList(request.headerLines)
        let connectTo = CurlStringList(request.connectTo.map { [$0] } ?? [])
        let receiver = ResponseReceiver(
            cancellation: cancellation, expectsBody: request.expectsBody, maxBody: configuration.maxResponseBytes)
        let code: CURLcode
        do throws(TransportError) {
            guard headers.isComplete, connectTo.isComplete else { throw .other("out of memory building the request") }
            try configure(configuration)
            try set(CURLOPT_URL, request.url)
            switch request.method {
            case .get, .post: break
            case .head: try set(CURLOPT_NOBODY, 1)
            case .custom(let method): try set(CURLOPT_CUSTOMREQUEST, method)
            }
            try check(lookout_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers.list), CURLOPT_HTTPHEADER)
            try check(lookout_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectTo.list), CURLOPT_CONNECT_TO)
            let context = Unmanaged.passUnretained(receiver).toOpaque()
            try set(CURLOPT_WRITEDATA, pointer: context)
            try set(CURLOPT_HEADERDATA, pointer: context)
            try set(CURLOPT_XFERINFODATA, pointer: context)
            code = withExtendedLifetime(receiver) { performWithBody(request) }
        } catch {
            return .failure(error)
        }
        if receiver.exceededMaxBody {
            return .failure(.bodyTooLarge(limit: configuration.maxResponseBytes))
        }
        guard code == CURLE_OK else {
            // libcurl keeps the first message of a transfer, which is not always the fatal one.
            let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
            var handshakeMicroseconds: curl_off_t = 0
            _ = lookout_curl_getinfo_off_t(handle, CURLINFO_APPCONNECT_TIME_T, &handshakeMicroseconds)
            let context = TransferFailureContext(
                trustsConfiguredAuthority: configuration.trustsConfiguredAuthority,
                verifiedName: request.verifiedName,
                closedAfterTLSHandshake: handshakeMicroseconds > 0 && responseStatus == 0)
            return .failure(TransportError(curlCode: code, detail: detail, context: context))
        }
        return .success(HTTPResponse(status: responseStatus, headers: receiver.headers, body: receiver.body))
    }

    /// Hands the body to libcurl in place for the duration of the transfer.
    private func performWithBody(_ request: PreparedRequest) -> CURLcode {
        let body: Data
        switch (request.body, request.method) {
        case (let requestBody?, _): body = requestBody
        case (nil, .post): body = Data()
        case (nil, _): return curl_easy_perform(handle)
        }
        return body.withUnsafeBytes { bytes in
            // An empty body still needs a non-NULL pointer: without CURLOPT_POSTFIELDS libcurl would
            // read the body from its default source, stdin.
            let start = bytes.baseAddress ?? UnsafeRawPointer(emptyBody.utf8Start)
            let sizeCode = lookout_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            guard sizeCode == CURLE_OK else { return sizeCode }
            let bodyCode = lookout_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: start))
            guard bodyCode == CURLE_OK else { return bodyCode }
            return curl_easy_perform(handle)
        }
    }

    /// 0 until a status line has arrived.
    private var responseStatus: Int {
        var status = 0
        _ = lookout_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    private func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(lookout_curl_setopt_long(handle, option, value), option)
    }

    /// `nil` restores the option's unset state.
    private func set(_ option: CURLoption, _ value: String?) throws(TransportError) {
        guard let value else {
            return try check(lookout_curl_setopt_string(handle, option, nil), option)
        }
        // libcurl copies string options, so the temporary C string may go away afterwards.
        try check(value.withCString { lookout_curl_setopt_string(handle, option, $0) }, option)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer) throws(TransportError) {
        try check(lookout_curl_setopt_pointer(handle, option, pointer), option)
    }

    /// Key material goes to libcurl as a copied in-memory blob, never through a file.
    private func set(_ option: CURLoption, blob: Data) throws(TransportError) {
        try check(blob.withUnsafeBytes { lookout_curl_setopt_blob(handle, option, $0.baseAddress, $0.count) }, option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(TransportError) {
        guard code != CURLE_OK else { return }
        let name = curl_easy_option_by_id(option).map { "CURLOPT_" + String(cString: $0.pointee.name) }
            ?? "option \(option.rawValue)"
        // curl_version() starts with "libcurl/7.88.1", then lists every library libcurl uses.
        let version = String(cString: curl_version()).prefix { $0 != " " }
        throw .invalidConfiguration("\(version) cannot set \(name): \(String(cString: curl_easy_strerror(code)))")
    }
}

private let emptyBody: StaticString = ""

/// A curl_slist that lives exactly as long as the transfer using it.
private struct CurlStringList: ~Copyable {
    private(set) var list: UnsafeMutablePointer<curl_slist>?
    /// False when libcurl ran out of memory while copying a line.
    private(set) var isComplete = true

    init(_ lines: [String]) {
        for line in lines {
            guard let extended = curl_slist_append(list, line) else {
                isComplete = false
                return
            }
            list = extended
        }
    }

    deinit {
        curl_slist_free_all(list)
    }
}

/// Collects one response while libcurl's callbacks deliver it. Only the transfer thread touches it.
private final class ResponseReceiver {
    /// Caps the allocation a Content-Length header can trigger up front; a larger body grows as it arrives.
    static let maximumReservation = 64 << 20

    let cancellation: CancellationFlag
    /// A HEAD response announces a Content-Length but carries no body to reserve room for.
    let expectsBody: Bool
    var headers: [String: String] = [:]
    var body = Data()
    let maxBody: Int
    /// Set when the body outgrew `maxBody` and the transfer was aborted.
    var exceededMaxBody = false

    init(cancellation: CancellationFlag, expectsBody: Bool, maxBody: Int) {
        self.cancellation = cancellation
        self.expectsBody = expectsBody
        self.maxBody = maxBody
    }

    func receiveHeaderLine(_ line: Substring) {
        // Every status line starts a new response (1xx interim responses come before the final one);
        // only the final response's headers are kept.
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = String(line[line.index(after: colon)...].trimmingWhitespace())
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
        if expectsBody, name == "content-length", let length = Int(value), length > 0, body.isEmpty {
            body.reserveCapacity(min(length, Self.maximumReservation))
        }
    }
}

private extension Substring {
    func trimmingWhitespace() -> Substring {
        var trimmed = drop(while: \.isWhitespace)
        while trimmed.last?.isWhitespace == true {
            trimmed = trimmed.dropLast()
        }
        return trimmed
    }
}

/// `perform` sets every callback's context to its receiver; should one ever be missing, the callback
/// makes libcurl abort the transfer instead of crashing.
private func receiver(_ context: UnsafeMutableRawPointer?) -> ResponseReceiver? {
    context.map { Unmanaged<ResponseReceiver>.fromOpaque($0).takeUnretainedValue() }
}

private let receiveBody: curl_write_callback = { data, size, count, context in
    guard let receiver = receiver(context) else { return 0 }
    let length = size * count
    guard receiver.body.count + length <= receiver.maxBody else {
        receiver.exceededMaxBody = true
        return 0  // libcurl aborts the transfer
    }
    if let data {
        receiver.body.append(UnsafeRawBufferPointer(start: data, count: length).assumingMemoryBound(to: UInt8.self))
    }
    return length
}

private let receiveHeader: curl_write_callback = { data, size, count, context in
    guard let receiver = receiver(context) else { return 0 }
    let length = size * count
    if let data {
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        receiver.receiveHeaderLine(line[...])
    }
    return length
}

/// libcurl calls it about once a second even while no data moves, which bounds how long a cancelled
/// request lingers.
private let reportProgress: curl_xferinfo_callback = { context, _, _, _, _ in
    guard let receiver = receiver(context) else { return 1 }
    return receiver.cancellation.isCancelled ? 1 : 0
}
