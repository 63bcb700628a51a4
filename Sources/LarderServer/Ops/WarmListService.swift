import LarderCore
import ServiceLifecycle

/// Runs the `--warm-file` keeper for as long as the server runs; a graceful shutdown ends it at once.
struct WarmListService: Service {
    let keeper: WarmListKeeper

    func run() async throws {
        await cancelWhenGracefulShutdown { await keeper.run() }
    }
}
