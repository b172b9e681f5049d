/// The decimal mark a number column is read with: `.` (`1,234.50`, the default) or `,`
/// (`1.234,50`, as most of Europe writes numbers, and as a `;`- or tab-delimited export from
/// such a locale holds them). The other mark, `,` or `.`, groups thousands.
public enum DecimalMark: String, Sendable, Hashable {
    case point = "."
    case comma = ","

    /// The mark's byte.
    @inline(__always) var byte: UInt8 { self == .point ? UInt8(ascii: ".") : UInt8(ascii: ",") }
    /// The byte that groups thousands under this mark.
    @inline(__always) var thousandsByte: UInt8 { self == .point ? UInt8(ascii: ",") : UInt8(ascii: ".") }

    /// `"."` or `","` as a schema or resolution writes it.
    public init?(text: String) {
        self.init(rawValue: text)
    }
}
