/// The ports an SSH server listens on, as the audit and the admission policy of C-0042 judge Services.
package enum SSHPorts {
    package static let all: Set<Int> = [22, 2222]
}
