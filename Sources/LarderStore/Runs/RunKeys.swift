/// Keys of the run store: names joined by a 0 byte (names never contain control characters), so that a prefix
/// scan over `flow 0 run 0` finds every entry of one run.
enum RunKeys {
    static let separator: UInt8 = 0

    /// `parts` joined by the separator, with a trailing separator when `open` (a prefix for scans).
    static func join(_ parts: [String], open: Bool = false) -> [UInt8] {
        var key: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if index > 0 { key.append(separator) }
            key.append(contentsOf: part.utf8)
        }
        if open { key.append(separator) }
        return key
    }

    /// A task record key: the names, then the attempt as 4 big-endian bytes.
    static func record(flow: String, run: String, step: String, task: String, attempt: Int) -> [UInt8] {
        join([flow, run, step, task], open: true) + StoreKeys.bigEndian(UInt32(clamping: max(0, attempt)))
    }

    /// The names of a key (splitting at separators), ignoring a trailing binary part after `count` names.
    static func names(_ key: UnsafeRawBufferPointer, count: Int) -> [String] {
        var names: [String] = []
        var current: [UInt8] = []
        for byte in key {
            if names.count == count { break }
            if byte == separator {
                names.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
        }
        if names.count < count && !current.isEmpty { names.append(String(decoding: current, as: UTF8.self)) }
        return names
    }
}
