import Foundation
import LarderAPI
import LarderClient
import LarderCore
import RunModel
import Synchronization
import Testing

/// A clock the tests move by hand.
final class ManualClock: Sendable {
    private let value = Mutex<Double>(1000)
    var now: Double { value.withLock { $0 } }
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
}

func fetch(_ ref: String, path: String? = nil, at start: Double, seconds: Double, bytes: Int64 = 100, outcome: FetchOutcome = .hit,
           upstreamBytes: Int64 = 0) -> FetchedObject {
    FetchedObject(ref: ref, path: path, bytes: bytes, upstreamBytes: upstreamBytes, outcome: outcome,
                  start: Date(timeIntervalSinceReferenceDate: 800_000_000 + start), firstByteSeconds: seconds / 2, seconds: seconds)
}

@Suite("Task attribution: registrations, bounded logs, expiry")
struct TaskAttributionTests {
    let identity = try! TaskIdentity(flow: "F", run: "1", step: "train", task: "7")

    @Test("a log lists at most its limit and counts everything in the totals")
    func boundedLog() {
        let log = TaskFetchLog(limit: 3)
        for index in 0..<5 {
            log.record(fetch("https://h/\(index)", at: Double(index) * 10, seconds: 2, bytes: 10 * Int64(index + 1),
                             outcome: index == 0 ? .miss : .hit, upstreamBytes: index == 0 ? 10 : 0))
        }
        let summary = log.summary()
        #expect(summary.items.count == 3)
        #expect(summary.itemsOmitted == 2)
        #expect(summary.objects == 5)
        #expect(summary.bytes == 10 + 20 + 30 + 40 + 50)
        #expect(summary.upstreamBytes == 10)
        #expect(summary.byOutcome[.miss]?.objects == 1)
        #expect(summary.byOutcome[.hit]?.objects == 4)
        #expect(abs(summary.seconds - 10) < 1e-6, "five disjoint 2 s fetches: \(summary.seconds)")
    }

    @Test("overlapping fetches count once in the seconds; past the interval bound the total only over-counts")
    func busySeconds() {
        let log = TaskFetchLog()
        log.record(fetch("a", at: 0, seconds: 4))
        log.record(fetch("b", at: 1, seconds: 2))
        log.record(fetch("c", at: 3, seconds: 3))
        log.record(fetch("d", at: 10, seconds: 1))
        #expect(abs(log.summary().seconds - 7) < 1e-6, "[0,6] and [10,11]: \(log.summary().seconds)")

        let bounded = TaskFetchLog(intervalLimit: 2)
        for index in 0..<4 { bounded.record(fetch("x\(index)", at: Double(index) * 10, seconds: 1)) }
        let seconds = bounded.summary().seconds
        #expect(seconds >= 4 && seconds <= 31, "\(seconds)")
    }

    @Test("a registration expires after its idle time; use keeps it alive")
    func expiry() throws {
        let clock = ManualClock()
        let attribution = TaskAttribution(idleExpiry: .seconds(60), now: { clock.now })
        let kept = attribution.register(identity)
        let dropped = attribution.register(identity)
        clock.advance(40)
        _ = try attribution.registration(Substring(kept.token))
        clock.advance(40)
        _ = try attribution.registration(Substring(kept.token))
        #expect(throws: LarderFailure.self) { try attribution.registration(Substring(dropped.token)) }
        #expect(attribution.count == 1)
    }

    @Test("past the task limit the registration idle longest makes room")
    func capacity() throws {
        let clock = ManualClock()
        let attribution = TaskAttribution(maxTasks: 2, now: { clock.now })
        let first = attribution.register(identity)
        clock.advance(1)
        let second = attribution.register(identity)
        clock.advance(1)
        _ = try attribution.registration(Substring(first.token))
        clock.advance(1)
        _ = attribution.register(identity)
        #expect(attribution.count == 2)
        _ = try attribution.registration(Substring(first.token))
        #expect(throws: LarderFailure.self) { try attribution.registration(Substring(second.token)) }
    }

    @Test("collecting needs the same task, ends the registration, and unknown tokens are 404 naming them")
    func collect() throws {
        let attribution = TaskAttribution()
        let registration = attribution.register(identity)
        registration.log.record(fetch("hf://org/m@abc", path: "model.bin", at: 0, seconds: 1))
        let other = try TaskIdentity(flow: "F", run: "1", step: "train", task: "8")
        #expect(throws: LarderFailure.self) { try attribution.collect(Substring(registration.token), for: other) }
        let fetches = try attribution.collect(Substring(registration.token), for: identity)
        #expect(fetches.objects == 1 && fetches.items.first?.path == "model.bin")
        do {
            _ = try attribution.collect(Substring(registration.token), for: identity)
            Issue.record("a collected registration was collected again")
        } catch {
            #expect(error.kind == .notFound && error.code == "unknown_task_token")
            #expect(error.message.contains(registration.token))
        }
        for hostile in ["", "../../etc", String(repeating: "a", count: 10_000), "0123456789ABCDEF0123456789abcdef", "\u{0}\n"] {
            #expect(throws: LarderFailure.self) { try attribution.registration(Substring(hostile)) }
        }
    }

    @Test("all logs together list at most the shared budget; collected and expired logs give theirs back")
    func sharedBudget() throws {
        let clock = ManualClock()
        let attribution = TaskAttribution(idleExpiry: .seconds(60), itemLimit: 4, listedLimit: 6, now: { clock.now })
        let first = attribution.register(identity)
        let second = attribution.register(identity)
        for index in 0..<5 {
            first.log.record(fetch("a\(index)", at: Double(index), seconds: 1))
            second.log.record(fetch("b\(index)", at: Double(index), seconds: 1))
        }
        #expect(attribution.listing.current == 6)
        let collected = try attribution.collect(Substring(first.token), for: identity)
        #expect(collected.objects == 5 && collected.items.count + collected.itemsOmitted == 5)
        #expect(attribution.listing.current == 6 - collected.items.count)
        first.log.record(fetch("late", at: 9, seconds: 1))  // a body that ends after its task was collected
        #expect(attribution.listing.current == 6 - collected.items.count)
        clock.advance(61)
        #expect(attribution.count == 0)
        #expect(attribution.listing.current == 0)
    }

    @Test("tokens are 32 lowercase hex digits and differ")
    func tokens() {
        let attribution = TaskAttribution()
        let tokens = (0..<50).map { _ in attribution.register(identity).token }
        #expect(Set(tokens).count == 50)
        #expect(tokens.allSatisfy { TaskAttribution.isWellFormed(Substring($0)) })
    }
}

@Suite("Warm references from a run's records")
struct RunWarmReferencesTests {
    func record(step: String, task: String, _ items: [FetchedObject]) throws -> TaskRecord {
        TaskRecord(identity: try TaskIdentity(flow: "F", run: "1", step: step, task: task), node: NodeDescription(name: "n"),
                   start: Date(), end: Date(), durationSeconds: 1, exit: ExitOutcome(status: 0),
                   usage: ResourceUsage(cpuSeconds: 0, avgCores: 0, p95Cores: 0, maxCores: 0, peakMemoryBytes: 0, samples: [],
                                        sampleIntervalSeconds: 1),
                   command: ["true"], fetches: TaskFetches(summarising: items))
    }

    @Test("Hub files are grouped by repository and revision with exactly their paths; digests alone are left out")
    func grouping() throws {
        let records = [
            try record(step: "large", task: "1", [
                fetch("hf://org/m@abc", path: "model.bin", at: 0, seconds: 1),
                fetch("hf://org/m@abc", path: "weird[1]*.json", at: 1, seconds: 1),
                fetch("https://h/x.bin#sha256=" + String(repeating: "a", count: 64), at: 2, seconds: 1),
                fetch("sha256:" + String(repeating: "b", count: 64), at: 3, seconds: 1),
            ]),
            try record(step: "large", task: "2", [fetch("hf://org/m@abc", path: "model.bin", at: 5, seconds: 1)]),
            try record(step: "small", task: "3", [fetch("hf://org/tiny@def", path: "config.json", at: 6, seconds: 1)]),
        ]
        let all = RunWarmReferences.references(records, step: nil)
        #expect(all.refs.map(\.ref) == ["hf://org/m@abc", "https://h/x.bin#sha256=" + String(repeating: "a", count: 64), "hf://org/tiny@def"])
        #expect(all.skipped == 1)
        let include = try #require(all.refs.first?.include)
        #expect(include.count == 2)
        let candidates = ["model.bin", "weird[1]*.json", "weird1x.json", "model.binx", "other.bin"]
        #expect(Set(HFGlob.filter(candidates, include: include, exclude: [])) == ["model.bin", "weird[1]*.json"])
        let small = RunWarmReferences.references(records, step: "small")
        #expect(small.refs == [WarmRequest.Reference(ref: "hf://org/tiny@def", include: ["config.json"])])
    }

    @Test("FLOW/RUN is checked")
    func parsing() throws {
        #expect(try RunWarmReferences.parseRun("F/12") == ("F", "12"))
        for bad in ["F", "F/1/2", "/1", "F/", "../x"] {
            #expect(throws: LarderFailure.self) { try RunWarmReferences.parseRun(bad) }
        }
    }
}

@Suite("larder run's endpoints for the task")
struct ChildEnvironmentTests {
    func attribution(server: String) throws -> TaskFetchAttribution {
        TaskFetchAttribution(server: server, identity: try TaskIdentity(flow: "F", run: "1", step: "s", task: "1"),
                             receipt: TaskTokenReceipt(token: String(repeating: "c", count: 32), prefix: "/t/" + String(repeating: "c", count: 32),
                                                       idleExpirySeconds: 60))
    }

    @Test("LARDER_SERVER and an HF_ENDPOINT on the same server move below the task prefix; others are left alone")
    func environment() throws {
        let task = try attribution(server: "http://127.0.0.1:7480")
        let prefixed = "http://127.0.0.1:7480/t/" + String(repeating: "c", count: 32)
        let same = task.childEnvironment(["HF_ENDPOINT": "http://127.0.0.1:7480/hf/", "PATH": "/bin"])
        #expect(same == ["HF_ENDPOINT": prefixed + "/hf", "LARDER_SERVER": prefixed, "PATH": "/bin"])
        let elsewhere = task.childEnvironment(["HF_ENDPOINT": "https://huggingface.co", "LARDER_SERVER": "http://127.0.0.1:7480"])
        #expect(elsewhere == ["HF_ENDPOINT": "https://huggingface.co", "LARDER_SERVER": prefixed])
        let lookalike = task.childEnvironment(["HF_ENDPOINT": "http://127.0.0.1:74801/hf"])
        #expect(lookalike["HF_ENDPOINT"] == "http://127.0.0.1:74801/hf")
        #expect(task.childEnvironment([:])["HF_ENDPOINT"] == nil)
    }
}
