/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
///
/// Use it instead of a fixed sleep: it waits no longer than needed on a fast machine and long enough on a loaded
/// one. The condition is checked once more when the deadline has passed, so a condition that became true while
/// the test slept is not missed. Errors thrown by `condition` end the wait and are rethrown.
public func eventually(
    timeout: Duration = .seconds(10),
    interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}
