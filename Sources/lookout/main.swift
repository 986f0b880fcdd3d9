import Glibc
import LookoutCLI

let code = await Lookout.run(Array(CommandLine.arguments.dropFirst()))
// A plain exit: with the transfer threads joined, none races the exit handlers (OpenSSL's cleanup).
await Lookout.shutdown()
exit(code)
