import Foundation
import LarderStore
import Synchronization

/// A one-line progress bar on standard error, drawn only when standard error is a terminal and at most ten
/// times a second.
public final class ProgressReporter: Sendable {
    private struct State {
        var done: Int64 = 0
        var total: Int64?
        var lastDraw: Double = 0
    }

    private let label: String
    private let started = Date()
    private let state = Mutex(State())

    /// A reporter for `label`, or nil when standard error is not a terminal.
    public static func forTerminal(_ label: String) -> ProgressReporter? {
        isatty(STDERR_FILENO) != 0 ? ProgressReporter(label: label) : nil
    }

    init(label: String) {
        self.label = label
    }

    /// Sets the expected total.
    public func setTotal(_ total: Int64?) {
        state.withLock { $0.total = total }
    }

    /// Adds `bytes` done and redraws when due.
    public func advance(_ bytes: Int) {
        let now = Date().timeIntervalSince1970
        let line: String? = state.withLock { state in
            state.done += Int64(bytes)
            guard now - state.lastDraw >= 0.1 else { return nil }
            state.lastDraw = now
            return render(state)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Draws the final state and ends the line.
    public func finish() {
        let line = state.withLock { render($0) }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func render(_ state: State) -> String {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = ByteCount.format(Int64(Double(state.done) / elapsed)) + "/s"
        guard let total = state.total, total > 0 else {
            return "\r\(label) \(ByteCount.format(state.done)) \(rate)   "
        }
        let fraction = min(1, Double(state.done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\r\(label) [\(bar)] \(Int(fraction * 100))% \(ByteCount.format(state.done))/\(ByteCount.format(total)) \(rate)   "
    }
}
