import FoundationEssentials
import Glibc
import Inventory
import Synchronization

/// Where `lookout collect` streams the snapshot while it lists the cluster. Only a complete snapshot
/// reaches the destination: a failed or stopped collection leaves the file as it was (absent, or its old
/// content), never a partial snapshot.
///
/// `--output FILE` (a regular file or none yet) is written to a temporary file beside it, renamed onto it
/// at the end. Anything else — stdout, a device, a pipe, a symbolic link, a file we may not write, a
/// directory that takes no new file — gets the snapshot from memory at the end, written as before.
enum SnapshotDestination {
    /// Temporary files not yet renamed: removed when `--timeout` ends the process.
    private static let temporaryFiles = Mutex<Set<String>>([])

    static func make(path: String?) -> any CommittableOutput {
        guard let path, let file = TemporaryFile(beside: path) else { return MemoryOutput(path: path) }
        return file
    }

    /// Removes every temporary file still there; the process is about to end.
    static func removeTemporaryFiles() {
        temporaryFiles.withLock { paths in
            for path in paths { unlink(path) }
        }
    }

    /// A snapshot output that becomes the destination on `commit`, and never when `abandon`ed.
    protocol CommittableOutput: SnapshotOutput {
        func commit() throws
        func abandon()
    }

    final class TemporaryFile: CommittableOutput {
        let path: String
        let temporary: String
        private let descriptor: Int32

        /// Nil when `path` exists and is no regular file or one we may not write (a rename would replace
        /// what writing it is refused), or no file can be created beside it.
        init?(beside path: String) {
            var status = stat()
            if lstat(path, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFREG, access(path, W_OK) == 0 else { return nil }
            } else if errno != ENOENT {
                return nil
            }
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { String(path[...$0]) } ?? ""
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            var template = Array("\(directory).\(name).lookout-XXXXXX".utf8CString)
            // mkstemp creates it owner-only, as reports and snapshots are written.
            let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard descriptor >= 0 else { return nil }
            self.path = path
            self.descriptor = descriptor
            temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            SnapshotDestination.temporaryFiles.withLock { _ = $0.insert(temporary) }
        }

        func write(_ bytes: Data) throws {
            var remaining = bytes[...]
            while !remaining.isEmpty {
                let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure()
                }
                remaining = remaining.dropFirst(written)
            }
        }

        func truncate(to length: Int) throws {
            guard ftruncate(descriptor, off_t(length)) == 0, lseek(descriptor, off_t(length), SEEK_SET) >= 0 else { throw failure() }
        }

        func commit() throws {
            defer { forget() }
            guard Glibc.close(descriptor) == 0, rename(temporary, path) == 0 else {
                let error = failure()
                unlink(temporary)
                throw error
            }
        }

        func abandon() {
            _ = Glibc.close(descriptor)
            unlink(temporary)
            forget()
        }

        private func forget() {
            _ = SnapshotDestination.temporaryFiles.withLock { $0.remove(temporary) }
        }

        private func failure() -> OutputFile.WriteError {
            OutputFile.WriteError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The snapshot in memory, written to stdout or the file at the end.
    final class MemoryOutput: CommittableOutput {
        /// Nil: stdout.
        let path: String?
        private let pieces = Mutex<(pieces: [Data], length: Int)>(([], 0))

        init(path: String?) { self.path = path }

        func write(_ bytes: Data) {
            pieces.withLock {
                $0.pieces.append(bytes)
                $0.length += bytes.count
            }
        }

        func truncate(to length: Int) {
            pieces.withLock { written in
                while written.length > length, let last = written.pieces.popLast() {
                    written.length -= last.count
                    if written.length < length {
                        written.pieces.append(last.prefix(length - written.length))
                        written.length = length
                    }
                }
            }
        }

        func commit() throws {
            let written = pieces.withLock { written in
                defer { written = ([], 0) }
                return written.pieces
            }
            guard let path else {
                for piece in written { Console.out(piece) }
                return
            }
            let file = try OutputFile(path: path)
            defer { file.close() }
            for piece in written { try file.write(piece) }
        }

        func abandon() { pieces.withLock { $0 = ([], 0) } }
    }
}
