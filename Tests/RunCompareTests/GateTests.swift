import Testing
@testable import RunCompare

@Suite struct GateTests {
    @Test func parsesRules() throws {
        #expect(try FailRule(parsing: "wall>+10%").threshold == .relative(0.1))
        #expect(try FailRule(parsing: "wer>0.05").metric == .wer)
        #expect(try FailRule(parsing: "step:large>+20%").metric == .step("large"))
        #expect(try FailRule(parsing: "wall>=30m").threshold == .absolute(1800))
        #expect(throws: RunCompareError.self) { try FailRule(parsing: "speed>1") }
        #expect(throws: RunCompareError.self) { try FailRule(parsing: "wall+10%") }
        #expect(throws: RunCompareError.self) { try FailRule(parsing: "wall>ten") }
    }

    @Test func evaluatesAgainstTheReport() throws {
        let report = try Fixtures.report()
        // B is much faster: a slowdown rule holds, a speed-up rule is violated.
        #expect(try FailRule(parsing: "wall>+10%").violation(in: report) == nil)
        let faster = try #require(try FailRule(parsing: "wall<-50%").violation(in: report))
        #expect(faster.hasPrefix("wall<-50%: violated, measured -92.8%"))
        let wer = try #require(try FailRule(parsing: "wer>0.05").violation(in: report))
        #expect(wer.contains("violated"))
        #expect(try FailRule(parsing: "step:tiny>+20%").violation(in: report) == nil)
        let missing = try #require(try FailRule(parsing: "step:nope>+20%").violation(in: report))
        #expect(missing.contains("cannot be evaluated"))
    }

    @Test func rejectsNonFiniteNumbers() throws {
        for rule in ["wall>nan", "wall>+inf%", "wall>inf", "wer>nan", "wall>-infinity", "wall>nans"] {
            #expect(throws: RunCompareError.self, "\(rule)") { try FailRule(parsing: rule) }
        }
    }

    @Test func percentIsAbsoluteForWER() throws {
        #expect(try FailRule(parsing: "wer>5%").threshold == .absolute(0.05))
        #expect(try FailRule(parsing: "mer>=+10%").threshold == .absolute(0.1))
        #expect(try FailRule(parsing: "wall>5%").threshold == .relative(0.05))
        let report = try Fixtures.report()  // overall WER 6.25 %
        #expect(try FailRule(parsing: "wer>5%").violation(in: report)?.contains("violated, measured 6.3%") == true)
        #expect(try FailRule(parsing: "wer>7%").violation(in: report) == nil)
    }
}
