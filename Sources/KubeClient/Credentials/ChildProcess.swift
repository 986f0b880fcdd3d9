import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program without a shell and returns its stdout; stderr passes through to ours so the user
/// sees a plugin's own messages, and stdin is /dev/null because a scan is never interactive.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(executable: String, arguments: [String], environment: [String: String]) throws(Failure) -> Data {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "cannot create a pipe") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addclose(&actions, readEnd)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        // ETXTBSY: another thread forked while the plugin file was still open for writing (a plugin
        // just installed); the descriptor closes when that child execs, so a short retry succeeds.
        var attempts = 0
        while spawned == ETXTBSY && attempts < 50 {
            attempts += 1
            usleep(20_000)
            spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        }
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(readEnd)

        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(description: exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7f)")
        }
        return output
    }
}
