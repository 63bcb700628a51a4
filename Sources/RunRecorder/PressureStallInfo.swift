/// The `some` line of a Linux pressure-stall file (`cpu.pressure` or `/proc/pressure/cpu`):
/// the share of time in which at least one runnable task waited for a CPU.
public struct PressureStallInfo: Sendable, Equatable {
    /// Percentage over the last 10 seconds.
    public var someAvg10: Double
    /// Percentage over the last 60 seconds.
    public var someAvg60: Double
    /// Percentage over the last 300 seconds.
    public var someAvg300: Double
    /// Total stall time in microseconds since boot (or since the cgroup was created).
    public var someTotalMicroseconds: Int64

    /// Creates a value from its parts.
    public init(someAvg10: Double, someAvg60: Double, someAvg300: Double, someTotalMicroseconds: Int64) {
        self.someAvg10 = someAvg10
        self.someAvg60 = someAvg60
        self.someAvg300 = someAvg300
        self.someTotalMicroseconds = someTotalMicroseconds
    }

    /// Parses file text such as `some avg10=1.50 avg60=0.20 avg300=0.05 total=123456`;
    /// nil when there is no well-formed `some` line.
    public init?(parsing text: String) {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.first == "some" else { continue }
            var values: [Substring: Substring] = [:]
            for word in words.dropFirst() {
                let pair = word.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { values[pair[0]] = pair[1] }
            }
            guard let avg10 = values["avg10"].flatMap({ Double($0) }),
                  let avg60 = values["avg60"].flatMap({ Double($0) }),
                  let avg300 = values["avg300"].flatMap({ Double($0) }),
                  let total = values["total"].flatMap({ Int64($0) })
            else { return nil }
            self.init(someAvg10: avg10, someAvg60: avg60, someAvg300: avg300, someTotalMicroseconds: total)
            return
        }
        return nil
    }
}
