/// Reads a checkbox cell as Dromo does: false for an empty cell and for `0`, `off`, `n`, `no`,
/// `false`, `disabled` in any case; true for anything else.
public enum CheckboxValue {
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let c = ByteCursor(bytes)
        let all = 0..<bytes.count
        switch bytes.count {
        case 0: return false
        case 1: return !(bytes[0] == UInt8(ascii: "0") || ByteCursor.lower(bytes[0]) == UInt8(ascii: "n"))
        case 2: return !c.matches(all, "no")
        case 3: return !c.matches(all, "off")
        case 5: return !c.matches(all, "false")
        case 8: return !c.matches(all, "disabled")
        default: return true
        }
    }
}
