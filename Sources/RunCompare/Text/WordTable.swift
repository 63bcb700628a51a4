/// Interns words by their exact Unicode scalars (as Python compares `str`, with no canonical
/// equivalence) into dense `Int32` identifiers, without allocating a string per word.
struct WordTable {
    /// UTF-8 bytes of every distinct word, back to back.
    private var arena: [UInt8] = []
    /// Start offset of each word in `arena`; the word with id `i` ends at `starts[i + 1]`.
    private var starts: [Int] = [0]
    /// Open-addressing hash table of word ids (−1 = empty); its count is a power of two.
    private var slots = [Int32](repeating: -1, count: 1024)
    /// Bytes of the word being built.
    private var pending: [UInt8] = []

    /// The number of distinct words seen.
    var count: Int { starts.count - 1 }

    /// Appends one scalar to the word being built.
    @inline(__always)
    mutating func append(_ scalar: Unicode.Scalar) {
        let v = scalar.value
        if v < 0x80 {
            pending.append(UInt8(v))
        } else {
            pending.append(contentsOf: UTF8.encode(scalar) ?? [])
        }
    }

    /// Appends one ASCII byte to the word being built.
    @inline(__always)
    mutating func appendByte(_ byte: UInt8) { pending.append(byte) }

    /// Ends the word being built and returns its identifier.
    mutating func finishWord() -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in pending { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if matches(Int(id)) {
                pending.removeAll(keepingCapacity: true)
                return id
            }
            slot = (slot + 1) & mask
        }
        let id = Int32(count)
        arena.append(contentsOf: pending)
        starts.append(arena.count)
        slots[slot] = id
        pending.removeAll(keepingCapacity: true)
        if count * 2 > slots.count { grow() }
        return id
    }

    /// The text of word `id`.
    func word(_ id: Int32) -> String {
        let index = Int(id)
        guard index >= 0, index < count else { return "" }
        return String(decoding: arena[starts[index]..<starts[index + 1]], as: UTF8.self)
    }

    private func matches(_ id: Int) -> Bool {
        let start = starts[id], end = starts[id + 1]
        guard end - start == pending.count else { return false }
        var offset = 0
        while offset < pending.count {
            if arena[start + offset] != pending[offset] { return false }
            offset += 1
        }
        return true
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for id in 0..<count {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in arena[starts[id]..<starts[id + 1]] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(id)
        }
        slots = bigger
    }
}

private extension UTF8 {
    /// The UTF-8 bytes of one scalar.
    static func encode(_ scalar: Unicode.Scalar) -> [UInt8]? {
        var bytes: [UInt8] = []
        UTF8.encode(scalar) { bytes.append($0) }
        return bytes
    }
}
