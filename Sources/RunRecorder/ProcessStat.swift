/// The fields Larder needs from one `/proc/<pid>/stat` line.
///
/// The second field (`comm`) is the executable name in parentheses and may itself contain
/// spaces and parentheses, so parsing starts after the *last* `)` in the line.
struct ProcessStat: Equatable {
    /// Process id (field 1).
    var pid: Int32
    /// State letter, e.g. `R`, `S`, `Z` (field 3).
    var state: UInt8
    /// Parent process id (field 4).
    var parentPID: Int32
    /// Process group id (field 5).
    var processGroupID: Int32
    /// User-mode CPU of the process's threads, in clock ticks (field 14).
    var userTicks: Int64
    /// Kernel-mode CPU, in clock ticks (field 15).
    var systemTicks: Int64
    /// User CPU of waited-for (reaped) children, cumulative, in ticks (field 16).
    var childrenUserTicks: Int64
    /// System CPU of waited-for children, in ticks (field 17).
    var childrenSystemTicks: Int64
    /// Start time after boot, in ticks (field 22); with the pid it identifies the process.
    var startTicks: Int64
    /// Resident set size in pages (field 24).
    var residentPages: Int64

    /// Own CPU: user + system ticks.
    var ownTicks: Int64 { userTicks + systemTicks }
    /// CPU of reaped descendants: children user + system ticks.
    var reapedTicks: Int64 { childrenUserTicks + childrenSystemTicks }
    /// Whether the process has exited but not been reaped.
    var isZombie: Bool { state == UInt8(ascii: "Z") }

    /// Parses a stat line; nil if it is malformed.
    init?(line bytes: [UInt8]) {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")),
              let open = bytes.firstIndex(of: UInt8(ascii: "(")), open < close
        else { return nil }
        guard let pid = Self.integer(bytes[..<open]) else { return nil }
        // Fields after ") ": index 0 is field 3 (state).
        var fields: [ArraySlice<UInt8>] = []
        fields.reserveCapacity(22)
        var index = close + 1
        while index < bytes.count, fields.count < 22 {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] != 0x20, bytes[index] != 0x0A { index += 1 }
            if start < index { fields.append(bytes[start..<index]) }
        }
        guard fields.count >= 22, let state = fields[0].first,
              let parent = Self.integer(fields[1]), let group = Self.integer(fields[2]),
              let user = Self.integer(fields[11]), let system = Self.integer(fields[12]),
              let childUser = Self.integer(fields[13]), let childSystem = Self.integer(fields[14]),
              let start = Self.integer(fields[19]), let rss = Self.integer(fields[21])
        else { return nil }
        self.pid = Int32(truncatingIfNeeded: pid)
        self.state = state
        self.parentPID = Int32(truncatingIfNeeded: parent)
        self.processGroupID = Int32(truncatingIfNeeded: group)
        self.userTicks = user
        self.systemTicks = system
        self.childrenUserTicks = childUser
        self.childrenSystemTicks = childSystem
        self.startTicks = start
        self.residentPages = max(0, rss)
    }

    private static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var negative = false
        var sawDigit = false
        for byte in bytes {
            if byte == 0x20 { if sawDigit { break } else { continue } }
            if byte == UInt8(ascii: "-"), !sawDigit, !negative { negative = true; continue }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int64(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            value = next
            sawDigit = true
        }
        return sawDigit ? (negative ? -value : value) : nil
    }
}
