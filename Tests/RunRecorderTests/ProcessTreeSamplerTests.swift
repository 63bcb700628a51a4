import Foundation
import Glibc
import RunModel
@testable import RunRecorder
import Testing

@Suite struct ProcessTreeSamplerTests {
    @Test func parsesCommandNamesWithSpacesAndParentheses() throws {
        let line = "4242 (my (weird) cmd) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 3 0 123456 1000000 2560 18446744073709551615\n"
        let stat = try #require(ProcessStat(line: Array(line.utf8)))
        #expect(stat.pid == 4242)
        #expect(stat.parentPID == 17)
        #expect(stat.state == UInt8(ascii: "S"))
        #expect(stat.ownTicks == 300)
        #expect(stat.reapedTicks == 50)
        #expect(stat.startTicks == 123_456)
        #expect(stat.residentPages == 2560)
        #expect(ProcessStat(line: Array("4242 (truncated) S 17 1 2".utf8)) == nil)
        #expect(ProcessStat(line: Array("garbage".utf8)) == nil)
    }

    @Test func samplerSeesItsOwnProcess() throws {
        var sampler = ProcessTreeSampler(rootPID: getpid())
        let first = sampler.sample()
        #expect(first.processCount >= 1)
        #expect(first.residentBytes > 1 << 20)
        let second = sampler.sample()
        #expect(second.cpuSeconds >= first.cpuSeconds)
        var gone = ProcessTreeSampler(rootPID: Int32.max)
        #expect(gone.sample() == ProcessTreeSample(cpuSeconds: 0, residentBytes: 0, processCount: 0, rootCPUSeconds: nil))
    }
}
