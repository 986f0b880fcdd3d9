import Foundation
import Glibc
import Testing
@testable import LookoutCLI

/// `collect` streams its snapshot while it lists: only a complete one may reach the destination, and an
/// existing file stays as it was until then.
@Suite(.serialized) struct SnapshotDestinationTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lookout-destination-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func contents(_ path: String) -> String? { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }
    var files: [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder).sorted()) ?? [] }

    /// A regular file is written beside it and renamed onto it: the old content until the commit, no
    /// leftover either way, owner-only.
    @Test func aFileIsReplacedWholeOnCommitAndUntouchedWhenAbandoned() throws {
        let path = folder + "/snapshot.json"
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let abandoned = SnapshotDestination.make(path: path)
        #expect(abandoned is SnapshotDestination.TemporaryFile)
        try abandoned.write(Data("{\"partial\"".utf8))
        #expect(contents(path) == "old")
        abandoned.abandon()
        #expect(contents(path) == "old")
        #expect(files == ["snapshot.json"])

        let committed = SnapshotDestination.make(path: path)
        try committed.write(Data("{\"a\":[1,2,3]".utf8))
        try committed.truncate(to: 5)
        try committed.write(Data("[]}".utf8))
        #expect(contents(path) == "old")
        try committed.commit()
        #expect(contents(path) == "{\"a\":[]}")
        #expect(files == ["snapshot.json"])
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)
    }

    /// `--timeout` ends the process with `_exit`: the temporary files are removed first.
    @Test func theDeadlineRemovesTemporaryFiles() throws {
        let output = SnapshotDestination.make(path: folder + "/new.json")
        try output.write(Data("{".utf8))
        #expect(files.count == 1)
        SnapshotDestination.removeTemporaryFiles()
        #expect(files.isEmpty)
        output.abandon()
    }

    /// What cannot be renamed onto (a symbolic link, a device) gets the snapshot from memory at the end,
    /// through the link as before; a directory that does not exist fails at the commit, naming the file.
    @Test func otherDestinationsAreWrittenFromMemory() throws {
        let target = folder + "/target.json"
        let link = folder + "/link.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let linked = SnapshotDestination.make(path: link)
        #expect(linked is SnapshotDestination.MemoryOutput)
        try linked.write(Data("{\"a\":[1,2]".utf8))
        try linked.truncate(to: 6)
        try linked.write(Data("]}".utf8))
        #expect(contents(target) == nil)
        try linked.commit()
        #expect(contents(target) == "{\"a\":[]}")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)

        #expect(SnapshotDestination.make(path: "/dev/null") is SnapshotDestination.MemoryOutput)
        let missing = SnapshotDestination.make(path: folder + "/no/such/dir/snapshot.json")
        try missing.write(Data("{}".utf8))
        let error = try #require(throws: OutputFile.WriteError.self) { try missing.commit() }
        #expect(error.description.hasPrefix("cannot write \(folder)/no/such/dir/snapshot.json: "))
    }
}
