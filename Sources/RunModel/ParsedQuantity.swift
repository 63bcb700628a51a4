/// The exact value of a Kubernetes quantity: `mantissa × 10^decimalExponent × 1024^binaryPower`.
///
/// Grammar (from Kubernetes `resource.Quantity`): an optional `+`, digits with an optional
/// decimal point, then one suffix: none; a binary-SI suffix `Ki Mi Gi Ti Pi Ei`; a decimal-SI
/// suffix `n u m k M G T P E`; or a decimal exponent `e`/`E` followed by an optional sign and digits.
struct ParsedQuantity: Equatable {
    /// The digits of the number with the decimal point removed.
    var mantissa: UInt128
    /// The power of ten applied to `mantissa` (negative for fractional digits and `m`, `u`, `n`).
    var decimalExponent: Int
    /// The power of 1024 applied (1 for `Ki`, 2 for `Mi`, …).
    var binaryPower: Int

    /// The most significant digits accepted; more cannot be represented exactly.
    static let maximumSignificantDigits = 30

    /// Parses `text`, reporting problems as a reason string suitable for ``QuantityError``.
    static func parse(_ text: String) -> Result<ParsedQuantity, QuantityReason> {
        var bytes = Substring(text).utf8[...]
        if bytes.isEmpty { return .failure("the value is empty") }
        if bytes.first == UInt8(ascii: "-") { return .failure("negative values are not allowed") }
        if bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }

        var mantissa: UInt128 = 0
        var significantDigits = 0
        var decimalExponent = 0
        var sawDigit = false
        var sawPoint = false
        while let byte = bytes.first {
            if byte == UInt8(ascii: ".") {
                if sawPoint { return .failure("more than one decimal point") }
                sawPoint = true
            } else if byte >= 0x30, byte <= 0x39 {
                sawDigit = true
                let digit = UInt128(byte - 0x30)
                if mantissa != 0 || digit != 0 {
                    significantDigits += 1
                    if significantDigits > maximumSignificantDigits {
                        return .failure("more than \(maximumSignificantDigits) significant digits")
                    }
                    mantissa = mantissa * 10 + digit
                }
                if sawPoint { decimalExponent -= 1 }
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard sawDigit else { return .failure("it does not start with a number") }

        let suffix = String(decoding: bytes, as: UTF8.self)
        switch suffix {
        case "": return .success(ParsedQuantity(mantissa: mantissa, decimalExponent: decimalExponent, binaryPower: 0))
        case "Ki", "Mi", "Gi", "Ti", "Pi", "Ei":
            let power = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].firstIndex(of: suffix).map { $0 + 1 } ?? 0
            return .success(ParsedQuantity(mantissa: mantissa, decimalExponent: decimalExponent, binaryPower: power))
        case "n", "u", "m", "k", "M", "G", "T", "P", "E":
            let exponents: [String: Int] = ["n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
            let exponent = exponents[suffix] ?? 0
            return .success(ParsedQuantity(
                mantissa: mantissa, decimalExponent: decimalExponent + exponent, binaryPower: 0))
        default:
            break
        }
        // Decimal exponent: e or E, optional sign, digits.
        var exponentBytes = bytes.dropFirst()
        guard let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E"),
              !exponentBytes.isEmpty
        else { return .failure("unknown suffix \"\(suffix)\"") }
        var negative = false
        if exponentBytes.first == UInt8(ascii: "-") || exponentBytes.first == UInt8(ascii: "+") {
            negative = exponentBytes.first == UInt8(ascii: "-")
            exponentBytes = exponentBytes.dropFirst()
        }
        guard !exponentBytes.isEmpty, exponentBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return .failure("unknown suffix \"\(suffix)\"")
        }
        guard exponentBytes.count <= 3, let magnitude = Int(String(decoding: exponentBytes, as: UTF8.self)),
              magnitude <= 100
        else { return .failure("the exponent in \"\(suffix)\" is out of range") }
        return .success(ParsedQuantity(
            mantissa: mantissa, decimalExponent: decimalExponent + (negative ? -magnitude : magnitude),
            binaryPower: 0))
    }

    /// The value as a Double (for CPU cores); nil if it is not finite.
    var doubleValue: Double? {
        var value = Double(mantissa)
        // Dividing by an exact power of ten keeps results like 100m == 0.1 correctly rounded.
        if decimalExponent < 0 {
            value /= Self.powerOfTen(-decimalExponent)
        } else {
            value *= Self.powerOfTen(decimalExponent)
        }
        for _ in 0..<binaryPower { value *= 1024 }
        return value.isFinite ? value : nil
    }

    /// The value in whole units rounded up (as Kubernetes does for bytes); nil when above `Int64.max`.
    var roundedUpInteger: Int64? {
        var numerator = mantissa
        for _ in 0..<binaryPower {
            let (product, overflow) = numerator.multipliedReportingOverflow(by: 1024)
            if overflow { return nil }
            numerator = product
        }
        if decimalExponent >= 0 {
            for _ in 0..<decimalExponent {
                if numerator == 0 { break }
                let (product, overflow) = numerator.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                numerator = product
            }
        } else {
            var divisor: UInt128 = 1
            for _ in 0..<(-decimalExponent) {
                let (product, overflow) = divisor.multipliedReportingOverflow(by: 10)
                if overflow {
                    // The divisor exceeds any possible numerator: the value is in (0, 1) or 0.
                    return numerator == 0 ? 0 : 1
                }
                divisor = product
            }
            let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: divisor)
            numerator = quotient + (remainder == 0 ? 0 : 1)
        }
        return numerator <= UInt128(Int64.max) ? Int64(numerator) : nil
    }

    private static func powerOfTen(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}

/// Why a quantity failed to parse; wrapped into ``QuantityError`` by the caller.
struct QuantityReason: Error, ExpressibleByStringInterpolation, Equatable {
    let text: String
    init(stringLiteral value: String) { text = value }
    init(_ text: String) { self.text = text }
}
