/// Spelled-out English numbers to digits, for ``WhisperNormalizer``: "twenty one" → "21",
/// "one hundred and five" → "105", "two point five" → "2.5", "third" → "3rd",
/// "ten percent" → "10%", "five dollars" → "$5", "fifty cents" → "¢50".
/// Consecutive single numbers are kept apart ("one two" → "1 2").
enum WhisperNumbers {
    private static let ones: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    private static let tens: [String: Int] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    private static let multipliers: [String: Int] = [
        "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
        "trillion": 1_000_000_000_000,
    ]
    private static let ordinals: [String: Int] = [
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
        "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
        "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
        "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
        "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1_000, "millionth": 1_000_000,
    ]
    private static let currencies: [String: String] = [
        "dollar": "$", "dollars": "$", "pound": "£", "pounds": "£", "euro": "€", "euros": "€",
        "cent": "¢", "cents": "¢",
    ]

    /// A number being assembled from words.
    private struct Accumulator {
        var total = 0
        var current = 0
        var lastWasOnes = false
        var lastWasTens = false
        var started = false
        var value: Int { total + current }
    }

    /// Rewrites number words in space-separated `text`.
    static func normalize(_ text: String) -> String {
        let words = text.split(separator: " ").map(String.init)
        var output: [String] = []
        var number = Accumulator()
        var index = 0

        func flush() {
            if number.started { output.append(String(number.value)) }
            number = Accumulator()
        }

        while index < words.count {
            let word = words[index]
            if let value = ones[word] {
                if number.lastWasOnes || (number.lastWasTens && value >= 10) { flush() }
                number.current += value
                number.started = true
                number.lastWasOnes = true
                number.lastWasTens = false
            } else if let value = tens[word] {
                if number.started, number.current % 100 != 0 { flush() }
                number.current += value
                number.started = true
                number.lastWasTens = true
                number.lastWasOnes = false
            } else if let multiplier = multipliers[word], number.started {
                if multiplier == 100 {
                    number.current = max(number.current, 1) * 100
                } else {
                    number.total += max(number.current, 1) * multiplier
                    number.current = 0
                }
                number.lastWasOnes = false
                number.lastWasTens = false
            } else if word == "and", number.started, index + 1 < words.count,
                      ones[words[index + 1]] != nil || tens[words[index + 1]] != nil, number.value >= 100 {
                // "one hundred and five": the "and" belongs to the number.
            } else if word == "point", number.started, index + 1 < words.count, ones[words[index + 1]].map({ $0 < 10 }) == true {
                var digits = ""
                var next = index + 1
                while next < words.count, let digit = ones[words[next]], digit < 10 {
                    digits += String(digit)
                    next += 1
                }
                var decimal = String(number.value) + "." + digits
                number = Accumulator()
                if next < words.count, words[next] == "percent" {
                    decimal += "%"
                    next += 1
                } else if next < words.count, let symbol = currencies[words[next]] {
                    decimal = symbol + decimal
                    next += 1
                }
                output.append(decimal)
                index = next
                continue
            } else if let ordinal = ordinals[word] {
                let value = (number.started ? number.value : 0) + ordinal
                number = Accumulator()
                output.append(String(value) + suffix(value))
            } else if word == "percent", number.started {
                output.append(String(number.value) + "%")
                number = Accumulator()
            } else if let symbol = currencies[word], number.started {
                output.append(symbol + String(number.value))
                number = Accumulator()
            } else {
                flush()
                output.append(word)
            }
            index += 1
        }
        flush()
        return output.joined(separator: " ")
    }

    private static func suffix(_ value: Int) -> String {
        if (11...13).contains(value % 100) { return "th" }
        switch value % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }
}
