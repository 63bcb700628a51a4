#if canImport(Glibc)
import Glibc
#endif

/// Settings of the C allocator for a long-running server that streams large bodies to many readers at once.
///
/// What was measured (docs/memory.md): with glibc's defaults every NIO and cooperative-pool thread gets its own
/// malloc arena, and freed response buffers stay in those arenas; resident memory then grew with the number of
/// concurrent readers and stayed after they left. Two arenas per core and an explicit trim after each burst keep
/// the resident size near its idle level.
public enum ProcessMemory {
    /// Applies the allocator settings; call once at start, before the server's threads exist.
    public static func configure() {
        #if canImport(Glibc)
        let cores = max(1, Int32(truncatingIfNeeded: sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        _ = mallopt(M_ARENA_MAX, 2 * cores)
        #endif
    }

    /// Returns free heap pages to the kernel (`malloc_trim`): cheap when there is little to give back.
    public static func trim() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
