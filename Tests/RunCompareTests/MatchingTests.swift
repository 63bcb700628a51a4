import LarderAPI
@testable import RunCompare
import RunModel
import Testing

@Suite struct MatchingTests {
    @Test func matchesByInputRegardlessOfTaskIds() throws {
        let a = [try Fixtures.record(step: "tiny", task: "1", input: ["url": "x"]),
                 try Fixtures.record(step: "tiny", task: "2", input: ["url": "y"])]
        let b = [try Fixtures.record(step: "tiny", task: "7", input: ["url": "y"]),
                 try Fixtures.record(step: "tiny", task: "9", input: ["url": "x"])]
        let result = TaskMatcher.match(a, b)
        #expect(result.pairs.count == 2 && result.pairs.allSatisfy(\.byInput))
        #expect(result.pairs.map { "\($0.a.identity.task)-\($0.b.identity.task)" } == ["1-9", "2-7"])
    }

    @Test func fallsBackToTaskOrderWithoutInputs() throws {
        let a = [try Fixtures.record(step: "s", task: "10"), try Fixtures.record(step: "s", task: "9")]
        let b = [try Fixtures.record(step: "s", task: "3"), try Fixtures.record(step: "s", task: "4"),
                 try Fixtures.record(step: "s", task: "5")]
        let result = TaskMatcher.match(a, b)
        // Numeric order: 9 before 10.
        #expect(result.pairs.map { "\($0.a.identity.task)-\($0.b.identity.task)" } == ["9-3", "10-4"])
        #expect(result.pairs.allSatisfy { !$0.byInput })
        #expect(result.onlyInB.map(\.identity.task) == ["5"])
    }

    @Test func differentInputsStayUnmatched() throws {
        let a = [try Fixtures.record(step: "s", task: "1", input: ["url": "x"]), try Fixtures.record(step: "only-a", task: "2")]
        let b = [try Fixtures.record(step: "s", task: "1", input: ["url": "z"])]
        let result = TaskMatcher.match(a, b)
        #expect(result.pairs.isEmpty)
        #expect(result.onlyInA.map(\.identity.step) == ["s", "only-a"])
        #expect(result.onlyInB.count == 1)
    }

    @Test func latestAttemptWins() throws {
        let document = RunDocument(flow: "F", run: "R", tasks: [
            try Fixtures.record(step: "s", task: "1", attempt: 0, status: 1),
            try Fixtures.record(step: "s", task: "1", attempt: 2, status: 0),
            try Fixtures.record(step: "s", task: "1", attempt: 1, status: 1),
            try Fixtures.record(step: "s", task: "2"),
        ])
        let latest = document.latestAttempts
        #expect(latest.count == 2)
        #expect(latest[0].identity.attempt == 2 && latest[0].exit.status == 0)
    }

    @Test func runReferences() throws {
        #expect(try RunReference.parse("Flow/123", fileExists: { _ in false }) == .stored(flow: "Flow", run: "123"))
        #expect(try RunReference.parse("export.json", fileExists: { _ in false }) == .file("export.json"))
        #expect(throws: RunCompareError.self) { try RunReference.parse("Flow", fileExists: { _ in false }) }
        #expect(throws: RunCompareError.self) { try RunReference.parse("a/b/c", fileExists: { _ in false }) }
    }
}
