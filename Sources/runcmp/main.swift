import ArgumentParser
import Foundation

// Exit status: 0 success, 1 a --fail-if rule was violated, 2 usage errors and runs that could
// not be loaded (ArgumentParser's own 64 is mapped to 2).
do {
    var command = try Runcmp.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch let failure as CommandFailure {
    // One plain sentence, without ArgumentParser's "Error:" prefix or a usage hint.
    FileHandle.standardError.write(Data(("runcmp: " + failure.description + "\n").utf8))
    Foundation.exit(2)
} catch {
    let code = Runcmp.exitCode(for: error)
    if code == .success {
        print(Runcmp.fullMessage(for: error))
        Foundation.exit(0)
    }
    // ArgumentParser wraps errors thrown while validating (`-o`, `--fail-if`) and prefixes "Error: ".
    var message = Runcmp.fullMessage(for: error)
    if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
    FileHandle.standardError.write(Data(("runcmp: " + message + "\n").utf8))
    Foundation.exit(2)
}
