/// A number `outputFormat`: Dromo's Numbro format object, for the keys that decide how a value
/// is written. With one, the number is written as a JSON string in that format.
///
/// Built: `output` (`number`, `currency`, `percent`, `ordinal`), `mantissa`, `optionalMantissa`,
/// `trimMantissa`, `characteristic`, `thousandSeparated`, `currencySymbol`, `currencyPosition`
/// (`prefix`, `postfix`), `spaceSeparated`, `spaceSeparatedCurrency`, `negative` (`sign`,
/// `parenthesis`), `forceSign`, `prefix`, `postfix`, `average`, `forceAverage`,
/// `abbreviations`, `spaceSeparatedAbbreviation`. Numbro keys that change nothing at their default
/// value (`base: "decimal"`, `exponential: false`, …) are accepted; at another value they are
/// refused, as is any other key.
struct NumberFormat: Sendable, Equatable {
    enum Output: String, Sendable { case number, currency, percent, ordinal }
    var output = Output.number
    var mantissa: Int?
    var optionalMantissa = false
    var trimMantissa = false
    var characteristic = 0
    var thousandSeparated = false
    var currencySymbol = "$"
    var currencyPostfix = false
    var spaceSeparated = false
    var spaceSeparatedCurrency = false
    var parenthesis = false
    var forceSign = false
    var prefix = ""
    var postfix = ""
    var average = false
    var forceAverage: Int?
    var abbreviations = ["k", "m", "b", "t"]
    var spaceSeparatedAbbreviation = false

    static let known: Set<String> = [
        "output", "base", "characteristic", "prefix", "postfix", "forceAverage", "average", "currencyPosition",
        "currencySymbol", "totalLength", "mantissa", "optionalMantissa", "trimMantissa", "optionalCharacteristic",
        "thousandSeparated", "abbreviations", "negative", "forceSign", "spaceSeparated", "spaceSeparatedCurrency",
        "spaceSeparatedAbbreviation", "exponential", "prefixSymbol", "lowPrecision",
    ]

    /// Reads the object; problems are (key path below the object, message).
    static func parse(_ o: JSONObject) -> (NumberFormat, [(String, String)]) {
        var f = NumberFormat()
        var problems: [(String, String)] = []
        func bool(_ key: String) -> Bool? {
            guard let v = o[key] else { return nil }
            if case .bool(let b) = v { return b }
            problems.append((key, "must be true or false, not \(v.typeName)"))
            return nil
        }
        func string(_ key: String, _ allowed: [String]? = nil) -> String? {
            guard let v = o[key] else { return nil }
            guard case .string(let s) = v else { problems.append((key, "must be a string, not \(v.typeName)")); return nil }
            if let allowed, !allowed.contains(s) {
                problems.append((key, "must be one of \(allowed.joined(separator: ", "))"))
                return nil
            }
            return s
        }
        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            guard let v = o[key] else { return nil }
            guard let i = v.intValue, range.contains(i) else {
                problems.append((key, "must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
                return nil
            }
            return i
        }
        for key in o.keys.sorted() where !known.contains(key) {
            let hint = Similarity.closest(key, in: known).map { " (did you mean '\($0)'?)" } ?? ""
            problems.append((key, "unknown key\(hint)"))
        }
        if let s = string("output", ["currency", "percent", "byte", "time", "ordinal", "number"]) {
            if let out = Output(rawValue: s) {
                f.output = out
            } else {
                problems.append(("output", "'\(s)' output is not supported by Intake (number, currency, percent, ordinal are)"))
            }
        }
        f.mantissa = int("mantissa", 0...20)
        f.optionalMantissa = bool("optionalMantissa") ?? false
        f.trimMantissa = bool("trimMantissa") ?? false
        f.characteristic = int("characteristic", 0...40) ?? 0
        f.thousandSeparated = bool("thousandSeparated") ?? false
        f.currencySymbol = string("currencySymbol") ?? "$"
        if let p = string("currencyPosition", ["prefix", "infix", "postfix"]) {
            if p == "infix" { problems.append(("currencyPosition", "'infix' is not supported by Intake (prefix, postfix are)")) }
            f.currencyPostfix = p == "postfix"
        }
        f.spaceSeparated = bool("spaceSeparated") ?? false
        f.spaceSeparatedCurrency = bool("spaceSeparatedCurrency") ?? false
        f.spaceSeparatedAbbreviation = bool("spaceSeparatedAbbreviation") ?? false
        f.parenthesis = string("negative", ["sign", "parenthesis"]) == "parenthesis"
        f.forceSign = bool("forceSign") ?? false
        f.prefix = string("prefix") ?? ""
        f.postfix = string("postfix") ?? ""
        f.average = bool("average") ?? false
        if let a = string("forceAverage", ["thousand", "million", "billion", "trillion"]) {
            f.forceAverage = ["thousand", "million", "billion", "trillion"].firstIndex(of: a)
        }
        if let v = o["abbreviations"] {
            if case .object(let abbr) = v {
                for (i, name) in ["thousand", "million", "billion", "trillion"].enumerated() {
                    if let s = abbr[name]?.stringValue { f.abbreviations[i] = s }
                }
                for key in abbr.keys.sorted() where !["thousand", "million", "billion", "trillion"].contains(key) {
                    problems.append(("abbreviations.\(key)", "unknown key"))
                }
            } else {
                problems.append(("abbreviations", "must be an object like {\"thousand\": \"k\"}"))
            }
        }
        // Keys accepted only at the value that changes nothing.
        if let b = string("base"), b != "decimal" { problems.append(("base", "only \"decimal\" is supported by Intake")) }
        for key in ["optionalCharacteristic", "exponential", "prefixSymbol", "lowPrecision"] where bool(key) == true {
            problems.append((key, "is not supported by Intake (only false)"))
        }
        if o["totalLength"] != nil, int("totalLength", 0...0) == nil {
            problems.removeLast()
            problems.append(("totalLength", "is not supported by Intake (only 0)"))
        }
        return (f, problems)
    }

    /// The value written in this format.
    func format(_ value: Double) -> String {
        var x = value
        if output == .percent { x *= 100 }
        let negative = x < 0
        x = abs(x)
        var suffix = ""
        if average || forceAverage != nil {
            var level = forceAverage ?? -1
            if level < 0 {
                level = x >= 1e12 ? 3 : x >= 1e9 ? 2 : x >= 1e6 ? 1 : x >= 1e3 ? 0 : -1
            }
            if level >= 0 {
                x /= pow10(3 * (level + 1))
                suffix = (spaceSeparated || spaceSeparatedAbbreviation ? " " : "") + abbreviations[level]
            }
        }
        var number = digits(x)
        number += suffix
        if output == .ordinal {
            let whole = Int(x.rounded(.towardZero))
            let ending =
                (whole % 100 >= 11 && whole % 100 <= 13) ? "th" : ["th", "st", "nd", "rd", "th", "th", "th", "th", "th", "th"][whole % 10]
            number += (spaceSeparated ? " " : "") + ending
        }
        if output == .percent { number += (spaceSeparated ? " " : "") + "%" }
        if output == .currency {
            let space = spaceSeparated || spaceSeparatedCurrency ? " " : ""
            number = currencyPostfix ? number + space + currencySymbol : currencySymbol + space + number
        }
        if negative && number.contains(where: { $0 >= "1" && $0 <= "9" }) {
            number = parenthesis ? "(\(number))" : "-" + number
        } else if forceSign {
            number = "+" + number
        }
        return prefix + number + postfix
    }

    /// The absolute value's digits: rounded to `mantissa`, padded to `characteristic`, grouped.
    private func digits(_ x: Double) -> String {
        var text: String
        if let mantissa {
            let scaled = (x * pow10(mantissa)).rounded(.toNearestOrAwayFromZero)
            if scaled < 9e15 {
                var s = String(Int64(scaled))
                if mantissa > 0 {
                    if s.count <= mantissa { s = String(repeating: "0", count: mantissa - s.count + 1) + s }
                    s.insert(".", at: s.index(s.endIndex, offsetBy: -mantissa))
                }
                text = s
            } else {
                text = JSONValue.format((x * pow10(mantissa)).rounded() / pow10(mantissa))
            }
        } else {
            text = JSONValue.format(x)
        }
        if text.contains("e") { return text }
        var integer = Substring(text), fraction = Substring("")
        if let dot = text.firstIndex(of: ".") {
            integer = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        if trimMantissa || (optionalMantissa && fraction.allSatisfy({ $0 == "0" })) {
            while fraction.last == "0" { fraction.removeLast() }
        }
        var whole = String(integer)
        if whole.count < characteristic { whole = String(repeating: "0", count: characteristic - whole.count) + whole }
        if thousandSeparated && whole.count > 3 {
            var grouped = ""
            for (i, c) in whole.enumerated() {
                if i > 0 && (whole.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            whole = grouped
        }
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}
