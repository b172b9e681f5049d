/// A number cell read: its canonical JSON text, its value and whether it ended in `%`.
public struct ParsedNumber: Sendable, Equatable {
    /// Canonical JSON number text, the exact decimal the cell wrote (no binary rounding):
    /// `"1234.5"`, `"-12"`, `"0.5"`, `"1000"`; very large or small magnitudes in exponent form
    /// as JavaScript prints them (`"1.5e+30"`, `"1e-7"`).
    public var json: String
    /// The nearest Double, for comparisons such as `min` / `max`. Always finite.
    public var value: Double
    /// The cell ended in `%`. The value is not scaled: `99%` is 99.
    public var isPercent: Bool

    public init(json: String, value: Double, isPercent: Bool) {
        self.json = json
        self.value = value
        self.isPercent = isPercent
    }
}

/// What a number cell says besides its JSON text, for callers that append the text to a
/// buffer (`NumberValue.appendJSONWithFacts`).
public struct NumberFacts: Sendable, Equatable {
    public var value: Double
    public var isPercent: Bool

    public init(value: Double, isPercent: Bool) {
        self.value = value
        self.isPercent = isPercent
    }
}
