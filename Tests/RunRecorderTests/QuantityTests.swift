import RunModel
import Testing

@Suite struct QuantityTests {
    @Test(arguments: [
        ("100m", 0.1), ("500m", 0.5), ("1.5", 1.5), ("2", 2), ("0.25", 0.25), ("+1", 1),
        (".5", 0.5), ("1e3", 1000), ("2k", 2000), ("250000u", 0.25), ("0", 0),
    ])
    func parsesCPU(text: String, cores: Double) throws {
        #expect(try Quantity.cpu(text) == cores)
    }

    @Test(arguments: [
        ("4Gi", Int64(4) << 30), ("4G", 4_000_000_000), ("12288Mi", Int64(12) << 30),
        ("512Ki", 524_288), ("1e3", 1000), ("1000", 1000), ("1.5Gi", 1_610_612_736),
        ("0.5", 1), ("1E", 1_000_000_000_000_000_000), ("7Ei", Int64(7) << 60), ("128974848", 128_974_848),
        ("129e6", 129_000_000), ("123Mi", 128_974_848),
    ])
    func parsesMemory(text: String, bytes: Int64) throws {
        #expect(try Quantity.memory(text) == bytes)
    }

    @Test(arguments: ["abc", "-1", "", "1.2.3", "4GB", "1e", "1e1000", "m", "1 ", "0x10", "Gi", "1.5.Gi", "--1"])
    func rejectsInvalidCPU(text: String) {
        #expect(throws: QuantityError.self) { try Quantity.cpu(text) }
    }

    @Test(arguments: ["abc", "-1", "", "1.2.3", "4GB", "4gb", "8Ei", "99999999999999999999", "1e400", "512m", "4 Gi", "1e19"])
    func rejectsInvalidMemory(text: String) {
        #expect(throws: QuantityError.self) { try Quantity.memory(text) }
    }

    @Test func errorMessageNamesInputAndAcceptedForms() {
        do {
            _ = try Quantity.memory("4GB")
            Issue.record("4GB was accepted")
        } catch let error as QuantityError {
            #expect(error.description.contains("\"4GB\""))
            #expect(error.description.contains("unknown suffix \"GB\""))
            #expect(error.description.contains("Gi"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: QuantityError(kind: .cpu, input: "-1", reason: "negative values are not allowed")) {
            try Quantity.cpu("-1")
        }
    }

    @Test func memorySubUnitSuffixExplainsTheLikelyTypo() {
        #expect(throws: QuantityError.self) { try Quantity.memory("512m") }
        do { _ = try Quantity.memory("512m") } catch let error as QuantityError {
            #expect(error.reason.contains("did you mean Mi"))
        } catch { Issue.record("unexpected error \(error)") }
    }

    @Test(arguments: [(1.5, "1.5"), (2, "2"), (0.1, "0.1"), (13.24567, "13.246"), (0.0004, "0"), (0.25, "0.25")])
    func formatsCPU(cores: Double, text: String) throws {
        #expect(Quantity.formatCPU(cores) == text)
        #expect(abs(try Quantity.cpu(text) - cores) < 0.001)
    }

    @Test(arguments: [
        (Int64(4) << 30, "4Gi"), (Int64(512) << 20, "512Mi"), (100, "100"), (0, "0"), (1024, "1Ki"),
        (12_563_000_000, "11.7Gi"), ((Int64(1) << 30) - 1, "1Gi"), (1536, "1.5Ki"),
    ])
    func formatsMemory(bytes: Int64, text: String) {
        #expect(Quantity.formatMemory(bytes) == text)
    }

    @Test func resourceAmountsParseBothQuantities() throws {
        let amounts = try ResourceAmounts(cpu: "500m", memory: "4Gi")
        #expect(amounts == ResourceAmounts(cpu: 0.5, memoryBytes: 4 << 30))
        #expect(throws: QuantityError.self) { try ResourceAmounts(cpu: "1", memory: "4GB") }
    }
}
