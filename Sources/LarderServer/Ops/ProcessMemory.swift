#if canImport(Glibc)
import Glibc
#endif

/// Settings of the C allocator for a long-running server that streams large bodies to many readers at once.
///
/// What was measured (docs/memory.md): with glibc's defaults every NIO and cooperative-pool thread gets its own
/// malloc arena, and freed response buffers stay in those arenas; resident memory then grew with the number of
/// concurrent readers and stayed after they left. Two arenas per core and an explicit trim after each burst keep
/// the resident size near its idle level.
///
/// Swift's Glibc module does not export `<malloc.h>`, so the two glibc extensions are looked up by name; on a C
/// library without them (musl) both calls do nothing.
public enum ProcessMemory {
    /// glibc's `M_ARENA_MAX` parameter number (`<malloc.h>`).
    private static let arenaMaxParameter: Int32 = -8

    /// Applies the allocator settings; call once at start, before the server's threads exist.
    public static func configure() {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let cores = max(1, Int32(truncatingIfNeeded: sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        _ = mallopt(arenaMaxParameter, 2 * cores)
        #endif
    }

    /// Returns free heap pages to the kernel (`malloc_trim`): cheap when there is little to give back.
    public static func trim() {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
