import RunModel

/// Number formatting shared by the findings and every renderer.
public enum Format {
    /// `45s`, `4m58s`, `48m15s`, `2h03m`, `0.8s`.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        let s = abs(seconds)
        let sign = seconds < 0 ? "-" : ""
        if s < 10 { return sign + trimmed(s, digits: 1) + "s" }
        let total = Int(s.rounded())
        if total < 60 { return "\(sign)\(total)s" }
        if total < 3600 { return "\(sign)\(total / 60)m\(pad(total % 60))s" }
        return "\(sign)\(total / 3600)h\(pad(total / 60 % 60))m"
    }

    /// Cores with one decimal (`12.8`), or up to three for values below 1 (`0.25`).
    public static func cores(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return value < 1 ? Quantity.formatCPU(value) : trimmed(value, digits: 1)
    }

    /// Memory in binary units (`4Gi`, `11.7Gi`).
    public static func memory(_ bytes: Int64?) -> String {
        guard let bytes else { return "–" }
        return Quantity.formatMemory(bytes)
    }

    /// Transferred bytes in decimal units, as download sizes are quoted: `3.1 GB`, `151 MB`, `2.5 kB`, `0 B`.
    public static func bytes(_ value: Int64?) -> String {
        guard let value else { return "–" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var scaled = Double(value), unit = 0
        while abs(scaled) >= 999.95 && unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return (unit == 0 ? String(value) : trimmed(scaled, digits: abs(scaled) >= 100 ? 0 : 1)) + " " + units[unit]
    }

    /// A ratio: `12.8×`, `0.10×`.
    public static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return (value < 1 ? fixed(value, digits: 2) : trimmed(value, digits: value >= 100 ? 0 : 1)) + "×"
    }

    /// A change in percent: `+12.5%`, `-89.7%`.
    public static func change(_ ratio: Double?) -> String {
        guard let ratio, ratio.isFinite else { return "–" }
        let percent = (ratio - 1) * 100
        return (percent >= 0 ? "+" : "") + fixed(percent, digits: 1) + "%"
    }

    /// A fraction as a percentage: `4.1%`.
    public static func percent(_ fraction: Double?) -> String {
        guard let fraction, fraction.isFinite else { return "–" }
        return fixed(fraction * 100, digits: 1) + "%"
    }

    /// A p-value: `p=0.008`.
    public static func pValue(_ p: Double) -> String {
        p < 0.001 ? "p<0.001" : "p=" + fixed(p, digits: 3)
    }

    /// `value` with exactly `digits` decimals.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let negative = value < 0 && scaled != 0
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled - Double(whole) * scale)
        var text = String(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: max(0, digits - digitsText.count)) + digitsText
        }
        return (negative ? "-" : "") + text
    }

    /// `value` with up to `digits` decimals, trailing zeros removed.
    public static func trimmed(_ value: Double, digits: Int) -> String {
        var text = fixed(value, digits: digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
