import Glibc
import Synchronization

/// One status line on stderr, rewritten in place while the cluster is read and the controls run.
/// Only ever created for a terminal (callers check), so logs and machine formats never see it.
final class ProgressLine: Sendable {
    private struct State {
        var shown = false
        var kinds = 0
        var objects = 0
    }
    private let state = Mutex(State())

    /// The collector calls this from concurrent LIST tasks, once per resource kind listed.
    func listed(_ kind: String, count: Int) {
        state.withLock { state in
            state.kinds += 1
            state.objects += count
            draw("Collecting: \(state.kinds) resource kinds listed, \(state.objects) objects (\(kind))", in: &state)
        }
    }

    func evaluated(_ done: Int, of total: Int) {
        state.withLock { draw("Evaluating: \(done)/\(total) controls run", in: &$0) }
    }

    /// Prints `lines` (diagnostics from work running beside the collection) on lines of their own: the
    /// status line is cleared first and drawn again by the next update.
    func printAbove(_ lines: () -> Void) {
        state.withLock { state in
            if state.shown { Self.emit("\r\u{1b}[K") }
            state.shown = false
            lines()
        }
    }

    /// Clears the line, so that whatever is printed next starts on a clean one.
    func finish() {
        state.withLock { state in
            if state.shown { Self.emit("\r\u{1b}[K") }
            state.shown = false
        }
    }

    private func draw(_ text: String, in state: inout State) {
        Self.emit("\r\u{1b}[K" + text)
        state.shown = true
    }

    /// Straight to the descriptor: the line must appear now, unbuffered, and without a newline.
    private static func emit(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
