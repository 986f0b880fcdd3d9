import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program without a shell and returns its stdout; stderr passes through to ours so the user
/// sees a plugin's own messages. A non-interactive run gets /dev/null as stdin, its own process group,
/// a time limit and an output cap, so no plugin can stall or flood a scan.
public enum ChildProcess {
    /// Plugins running now: pid → whether it leads its own process group.
    private static let running = Mutex<[pid_t: Bool]>([:])

    /// Kills every plugin still running (with the helpers of those in their own group): when Lookout
    /// gives up (--timeout), nothing it started may outlive it holding its stderr or a terminal.
    public static func stopAll() {
        running.withLock { running in
            for (pid, ownGroup) in running { kill(ownGroup ? -pid : pid, SIGKILL) }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Limits: Sendable {
        /// Nil: the plugin talks to the user through our terminal and may take as long as they do.
        var timeout: Duration?
        var maxOutput: Int

        static let nonInteractive = Limits(timeout: .seconds(60), maxOutput: 1 << 20)
        static let interactive = Limits(timeout: nil, maxOutput: 1 << 20)
    }

    static func run(
        executable: String, arguments: [String], environment: [String: String], limits: Limits
    ) throws(Failure) -> Data {
        // Close-on-exec: only the plugin's stdout (the dup2 copy) reaches the plugin, and no other
        // child inherits either end. (Glibc's pipe2 is not visible to Swift; Lookout starts children
        // from this function only, so no spawn can slip in between pipe and fcntl.)
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "cannot create a pipe") }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if limits.timeout != nil { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        // Its own process group, so that a time-out ends the helpers it started too; an interactive
        // plugin stays in ours, or reading the terminal would stop it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if limits.timeout != nil {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        // ETXTBSY: another thread forked while the plugin file was still open for writing (a plugin
        // just installed); the descriptor closes when that child execs, so a short retry succeeds.
        var attempts = 0
        while spawned == ETXTBSY && attempts < 50 {
            attempts += 1
            usleep(20_000)
            spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        }
        close(writeEnd)
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        running.withLock { $0[pid] = limits.timeout != nil }
        defer { _ = running.withLock { $0.removeValue(forKey: pid) } }
        let (output, status) = try collect(pid: pid, from: readEnd, limits: limits)
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Failure(description: exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7f)")
        }
        return output
    }

    /// Reads stdout until the plugin exits — not until EOF: a helper it leaves running in the
    /// background may hold the pipe open for ever — then takes what is already buffered.
    private static func collect(pid: pid_t, from readEnd: Int32, limits: Limits) throws(Failure) -> (Data, Int32) {
        let clock = ContinuousClock()
        let deadline = limits.timeout.map { clock.now + $0 }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = true
        func readAvailable() -> Bool {
            let count = read(readEnd, &buffer, buffer.count)
            if count > 0 { output.append(contentsOf: buffer[0..<count]) }
            return count > 0 || (count < 0 && errno == EINTR)
        }
        func stop(_ reason: String) throws(Failure) -> Never {
            kill(limits.timeout == nil ? pid : -pid, SIGKILL)
            var ignored: Int32 = 0
            while waitpid(pid, &ignored, 0) == -1 && errno == EINTR {}
            throw Failure(description: reason)
        }
        while true {
            var status: Int32 = 0
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid {
                _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
                while open && output.count <= limits.maxOutput && readAvailable() {}
                if output.count > limits.maxOutput { throw Failure(description: "printed more than \(limits.maxOutput) bytes") }
                return (output, status)
            }
            if waited == -1 && errno != EINTR { throw Failure(description: "cannot wait for it: \(String(cString: strerror(errno)))") }
            if let deadline, clock.now >= deadline {
                try stop("did not finish within \(limits.timeout ?? .zero) (stopped; is it waiting for input?)")
            }
            // Wake up at least every 50 ms to notice the exit, which closes nothing when helpers hold stdout.
            var descriptor = pollfd(fd: open ? readEnd : -1, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 50) > 0 && descriptor.revents != 0 {
                open = readAvailable()  // false at EOF: keep waiting for the exit alone
                if output.count > limits.maxOutput { try stop("printed more than \(limits.maxOutput) bytes") }
            }
        }
    }
}
