import Dispatch

/// Nanoseconds on the clock Dispatch uses for timeouts, so that deadlines computed here can be
/// passed straight to `DispatchSemaphore.wait(timeout:)`.
enum MonotonicClock {
    /// The current time in nanoseconds.
    static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// Seconds between two readings.
    static func seconds(from start: UInt64, to end: UInt64) -> Double {
        end > start ? Double(end - start) / 1e9 : 0
    }
}
