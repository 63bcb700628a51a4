import RunModel
import Testing

@Suite struct TaskIdentityTests {
    @Test(arguments: ["SixMinVideos", "1680000000", "tiny", "4", "a.b", "..a", "名前", "with space", String(repeating: "x", count: 200)])
    func acceptsValidNames(name: String) throws {
        try TaskIdentity.validateName(name)
    }

    @Test(arguments: [
        ("", "must not be empty"), (".", "must not be"), ("..", "must not be"), ("a/b", "\"/\""),
        ("tab\there", "control"), ("nl\n", "control"), ("del\u{7f}", "control"),
        (String(repeating: "x", count: 201), "201 bytes"), (String(repeating: "é", count: 101), "202 bytes"),
    ])
    func rejectsInvalidNames(name: String, reason: String) {
        do {
            try TaskIdentity.validateName(name)
            Issue.record("\(name.debugDescription) was accepted")
        } catch let error as RunModelError {
            #expect(error.description.contains(reason), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func errorMessageNamesTheFieldAndEscapesControlCharacters() {
        #expect(throws: RunModelError.self) { try TaskIdentity(flow: "F", run: "r\n1", step: "s", task: "t") }
        do { _ = try TaskIdentity(flow: "F", run: "r\n1", step: "s", task: "t") } catch {
            #expect("\(error)" == "invalid run name \"r\\n1\": must not contain control characters")
        }
    }

    @Test func parsesAndPrintsPathspec() throws {
        let identity = try TaskIdentity(pathspec: "SixMinVideos/1680000000/tiny/4", attempt: 2)
        #expect(identity.flow == "SixMinVideos")
        #expect(identity.run == "1680000000")
        #expect(identity.step == "tiny")
        #expect(identity.task == "4")
        #expect(identity.attempt == 2)
        #expect(identity.pathspec == "SixMinVideos/1680000000/tiny/4")
        #expect(identity.description == "SixMinVideos/1680000000/tiny/4#2")
    }

    @Test(arguments: ["a/b/c", "a/b/c/d/e", "a//c/d", "", "/a/b/c", "a/b/c/..", "a/b/./d"])
    func rejectsBadPathspecs(pathspec: String) {
        #expect(throws: RunModelError.self) { try TaskIdentity(pathspec: pathspec) }
    }

    @Test func rejectsNegativeAttempt() {
        #expect(throws: RunModelError.invalidAttempt(-1)) {
            try TaskIdentity(flow: "F", run: "1", step: "s", task: "1", attempt: -1)
        }
    }
}
