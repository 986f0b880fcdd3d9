import CZlib
import FoundationEssentials

/// gzip (RFC 1952) through the system zlib: FoundationEssentials has no compression, and a report
/// stored in a ConfigMap must stay under the API server's 1 MiB object limit.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// zlib's window bits for a gzip wrapper (15 + 16); `inflate` with +32 instead also accepts zlib.
    private static let gzipWindowBits: Int32 = 15 + 16

    public enum Level: Sendable {
        /// What is stored: as small as zlib makes it.
        case best
        /// For measuring a size another tool will compress: an upper bound, several times faster.
        case fastest

        var zlibLevel: Int32 { self == .best ? Z_BEST_COMPRESSION : Z_BEST_SPEED }
    }

    public static func compress(_ data: Data, level: Level = .best) throws(Failure) -> Data {
        guard data.count < Int(UInt32.max) else { throw Failure(description: "cannot compress \(data.count) bytes at once") }
        var stream = z_stream()
        guard deflateInit2_(
            &stream, level.zlibLevel, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw Failure(description: "zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        // deflateBound is large enough for a single Z_FINISH call to complete.
        var output = Data(count: Int(deflateBound(&stream, uLong(data.count))))
        let status = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "zlib: deflate failed (\(status))") }
        output.count = Int(stream.total_out)
        return output
    }

    /// The size of data gzipped at `.fastest`, taken in pieces: for measuring a document that is never
    /// whole in memory (a SARIF log against GitHub's limit). Only a piece of output at a time is kept.
    final class SizeCounter {
        private var stream = z_stream()
        private var output = [UInt8](repeating: 0, count: 1 << 16)
        private var size = 0

        init() throws(Failure) {
            guard deflateInit2_(
                &stream, Level.fastest.zlibLevel, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
            else { throw Failure(description: "zlib: deflateInit2 failed") }
        }

        deinit { deflateEnd(&stream) }

        func add(_ data: Data) throws(Failure) {
            guard data.count < Int(UInt32.max) else { throw Failure(description: "cannot compress \(data.count) bytes at once") }
            let progressed = data.withUnsafeBytes { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                while stream.avail_in > 0 {
                    guard deflateStep(Z_NO_FLUSH) == Z_OK else { return false }
                }
                return true
            }
            guard progressed else { throw Failure(description: "zlib: deflate failed") }
        }

        /// The gzipped size of everything added.
        func finish() throws(Failure) -> Int {
            var status: Int32
            repeat { status = deflateStep(Z_FINISH) } while status == Z_OK
            guard status == Z_STREAM_END else { throw Failure(description: "zlib: deflate did not finish (\(status))") }
            return size
        }

        private func deflateStep(_ flush: Int32) -> Int32 {
            output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = uInt(buffer.count)
                let status = deflate(&stream, flush)
                size += buffer.count - Int(stream.avail_out)
                return status
            }
        }
    }

    /// Inflates gzip data, refusing to produce more than `limit` bytes: the input may come from a
    /// ConfigMap anyone with write access to it could have replaced.
    public static func decompress(_ data: Data, limit: Int = 256 << 20) throws(Failure) -> Data {
        guard data.count < Int(UInt32.max) else { throw Failure(description: "cannot decompress \(data.count) bytes at once") }
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib: inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = data.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[..<produced])
                // Z_BUF_ERROR means no progress was possible: the input ended before the stream did.
                if status != Z_OK || output.count > limit { return status }
            }
        }
        guard output.count <= limit else { throw Failure(description: "the data inflates to more than \(limit) bytes") }
        guard status == Z_STREAM_END else {
            throw Failure(description: status == Z_BUF_ERROR ? "the gzip data is truncated" : "the data is not valid gzip (zlib status \(status))")
        }
        return output
    }
}
