/// Rendezvous (highest-random-weight) hashing: every member gets a pseudo-random weight per key and the
/// members are ranked by it. The first is the key's owner, the next its fallback, and so on.
///
/// A member that joins takes over only the keys for which it now weighs most; one that leaves hands each of its
/// keys to the member ranked next for that key. No other key changes owner, and nodes that agree on the member
/// set agree on every owner without talking to each other.
public enum Rendezvous {
    /// The members ranked for `key`, highest weight first (ties, practically impossible, by address).
    public static func rank(_ key: String, over members: some Sequence<PeerAddress>) -> [PeerAddress] {
        let keyHash = fnv1a(key.utf8, seed: 0xcbf2_9ce4_8422_2325)
        return members
            .map { (member: $0, weight: weight(keyHash: keyHash, member: $0)) }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.member < $1.member }
            .map(\.member)
    }

    /// The owner of `key` among `members`, nil when there are none.
    public static func owner(of key: String, among members: some Sequence<PeerAddress>) -> PeerAddress? {
        rank(key, over: members).first
    }

    /// The weight of `member` for a key whose hash is `keyHash`: FNV-1a of the member's address seeded with the
    /// key's hash, then the SplitMix64 finaliser so nearby inputs spread over the whole range.
    static func weight(keyHash: UInt64, member: PeerAddress) -> UInt64 {
        mix(fnv1a(member.description.utf8, seed: keyHash ^ 0x9e37_79b9_7f4a_7c15))
    }

    private static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
