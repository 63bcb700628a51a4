import Testing
@testable import RunCompare

@Suite struct PlacementTests {
    @Test func packedRunIsFlaggedAsSkew() throws {
        let report = try Fixtures.report()
        let skew = try #require(report.findings.first { $0.kind == "node-skew" })
        #expect(skew.side == "A")
        #expect(skew.title == "all 6 tasks of A ran on node node-a while node node-b ran none")
        #expect(skew.rank == 1)
        #expect(report.findings.contains { $0.kind == "noisy-neighbour" && $0.side == "A" })
        #expect(!report.findings.contains { $0.kind == "node-skew" && $0.side == "B" })
    }

    @Test func placementCountsConcurrencyAndDemand() throws {
        let report = try Fixtures.report()
        let a = try #require(report.placement.a.first)
        #expect(a.node == "node-a" && a.tasks == 6 && a.peakConcurrent == 6)
        #expect(abs(a.peakDemandCores - (6.2 + 6.5 + 6.6 + 12.6 + 12.8 + 13.0)) < 1e-9)
        #expect(a.peakRequestedCores == 6)
        #expect(report.placement.b.map(\.node) == ["node-a", "node-b"])
    }

    @Test func spreadRunWithoutSaturationHasNoSkew() throws {
        let tasks = [try Fixtures.record(step: "s", task: "1", node: "x", p95: 1),
                     try Fixtures.record(step: "s", task: "2", node: "y", p95: 1)]
        let nodes = PlacementAnalysis.nodes(tasks)
        let findings = FindingsBuilder.placementFindings(side: "A", tasks: tasks, nodes: nodes, allNodes: ["x", "y", "z"],
                                                         wall: 10, otherWall: 10)
        #expect(findings.isEmpty)
    }

    @Test func cpuUnderRequestCarriesTheRatioAndDecorator() throws {
        let report = try Fixtures.report()
        let finding = try #require(report.findings.first { $0.kind == "cpu-under-request" && $0.step == "large" })
        #expect(finding.evidence.contains("used 13 cores on a 1-core request (13×)"))
        #expect(finding.action == "set @kubernetes(cpu=16, memory=13824) on step `large`")
        #expect(finding.estimatedSecondsLost > 2000)
    }

    @Test func wallTimeAndSignificance() throws {
        let report = try Fixtures.report()
        #expect(report.timings.wall.a == 2752.5)
        #expect(report.timings.wall.b == 197.5)
        let large = try #require(report.timings.steps.first { $0.step == "large" })
        #expect(large.significance?.p == 0.1 && large.significance?.significant == false)
    }
}
