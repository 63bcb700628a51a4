import Testing
@testable import RunCompare

@Suite struct FormatTests {
    @Test func durations() {
        #expect(Format.duration(0.84) == "0.8s")
        #expect(Format.duration(45) == "45s")
        #expect(Format.duration(298) == "4m58s")
        #expect(Format.duration(2895) == "48m15s")
        #expect(Format.duration(7380) == "2h03m")
        #expect(Format.duration(nil) == "–")
    }

    @Test func quantities() {
        #expect(Format.cores(12.84) == "12.8")
        #expect(Format.cores(0.25) == "0.25")
        #expect(Format.cores(1) == "1")
        #expect(Format.memory(4 << 30) == "4Gi")
        #expect(Format.memory(12_562_779_750) == "11.7Gi")
        #expect(Format.memory(12288 << 20) == "12Gi")
    }

    @Test func ratiosAndChanges() {
        #expect(Format.ratio(12.8) == "12.8×")
        #expect(Format.ratio(0.1029) == "0.10×")
        #expect(Format.change(1.1) == "+10.0%")
        #expect(Format.change(0.1029) == "-89.7%")
        #expect(Format.percent(0.041) == "4.1%")
        #expect(Format.pValue(0.0001) == "p<0.001")
        #expect(Format.fixed(-0.04, digits: 1) == "0.0")
    }
}
