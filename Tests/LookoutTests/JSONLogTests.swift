import Testing
@testable import LookoutCLI

/// JSON log lines take the level their caller gives, whatever the message starts with.
@Suite struct JSONLogTests {
    @Test func theCallerSaysTheLevel() {
        let line = JSONLog.line(.warning, "lookout: looks like an error, is a warning\n")
        #expect(line.level == "warning")
        #expect(line.msg == "lookout: looks like an error, is a warning")
        #expect(JSONLog.line(.info, "warning: not one").level == "info")
        #expect(JSONLog.line(.error, "gate failed: x").level == "error")
    }
}
