/// Parses and formats Kubernetes resource quantities (`500m`, `1.5`, `4Gi`, `12288Mi`, `1e9`, …).
public enum Quantity {
    /// Parses a CPU quantity into cores: `"100m"` → 0.1, `"1.5"` → 1.5, `"2"` → 2.
    /// - Throws: ``QuantityError`` for empty, negative, malformed or non-finite values.
    public static func cpu(_ text: String) throws -> Double {
        switch ParsedQuantity.parse(text) {
        case .failure(let reason):
            throw QuantityError(kind: .cpu, input: text, reason: reason.text)
        case .success(let parsed):
            guard let cores = parsed.doubleValue else {
                throw QuantityError(kind: .cpu, input: text, reason: "the value is too large")
            }
            return cores
        }
    }

    /// Parses a memory quantity into bytes, rounding fractions of a byte up as Kubernetes does:
    /// `"4Gi"` → 4294967296, `"4G"` → 4000000000, `"1.5Gi"` → 1610612736, `"1e3"` → 1000.
    ///
    /// The sub-unit suffixes `m`, `u` and `n` are rejected: `"512m"` means 0.512 bytes in
    /// Kubernetes and is almost always a typo for `512Mi`.
    /// - Throws: ``QuantityError`` for empty, negative, malformed or out-of-range (> `Int64.max`) values.
    public static func memory(_ text: String) throws -> Int64 {
        switch ParsedQuantity.parse(text) {
        case .failure(let reason):
            throw QuantityError(kind: .memory, input: text, reason: reason.text)
        case .success(let parsed):
            if let last = text.last, "mun".contains(last) {
                throw QuantityError(
                    kind: .memory, input: text,
                    reason: "the suffix \"\(last)\" means 1e-3/1e-6/1e-9 of a byte; did you mean Mi or M?")
            }
            guard let bytes = parsed.roundedUpInteger else {
                throw QuantityError(kind: .memory, input: text, reason: "the value is larger than \(Int64.max) bytes")
            }
            return bytes
        }
    }

    /// Formats cores as a plain decimal with at most three fractional digits and no trailing zeros:
    /// 1.5 → `"1.5"`, 2 → `"2"`, 0.1 → `"0.1"`, 13.24567 → `"13.246"`. The result parses with ``cpu(_:)``.
    public static func formatCPU(_ cores: Double) -> String {
        guard cores.isFinite, abs(cores) < 1e15 else { return String(cores) }
        let millicores = Int64((abs(cores) * 1000).rounded())
        let sign = cores < 0 && millicores != 0 ? "-" : ""
        let whole = millicores / 1000
        let fraction = millicores % 1000
        guard fraction != 0 else { return sign + String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return sign + String(whole) + "." + digits
    }

    /// Formats bytes with the largest binary suffix that keeps the number ≥ 1:
    /// exact multiples print as integers (`"4Gi"`, `"512Mi"`, `"100"`), others with one
    /// decimal (`"11.7Gi"`). Non-exact results are rounded and are for display only.
    public static func formatMemory(_ bytes: Int64) -> String {
        let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        let magnitude = bytes.magnitude
        let sign = bytes < 0 ? "-" : ""
        var power = 0
        while power + 1 < suffixes.count, magnitude >= UInt64(1) << (10 * (power + 1)) {
            power += 1
        }
        let unit = UInt64(1) << (10 * power)
        if magnitude % unit == 0 {
            return sign + String(magnitude / unit) + suffixes[power]
        }
        var tenths = ((Double(magnitude) / Double(unit)) * 10).rounded()
        if tenths >= 10_240, power + 1 < suffixes.count {
            power += 1
            tenths = (tenths / 1024).rounded()
        }
        let whole = Int64(tenths) / 10
        let fraction = Int64(tenths) % 10
        return sign + String(whole) + (fraction == 0 ? "" : "." + String(fraction)) + suffixes[power]
    }
}
