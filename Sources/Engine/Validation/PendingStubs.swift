// TEMPORARY: replaced by the helper branches (ByteRegex, value parsers) before any commit of the Engine.
import Foundation
public struct ByteRegex: @unchecked Sendable {
    public struct SyntaxError: Error, Sendable, CustomStringConvertible { public let message: String; public var description: String { message } }
    let re: NSRegularExpression
    public init(_ pattern: String, flags: String = "") throws(SyntaxError) {
        do { re = try NSRegularExpression(pattern: pattern, options: flags.contains("i") ? [.caseInsensitive] : []) } catch { throw SyntaxError(message: "\(error)") }
    }
    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool { matches(String(decoding: bytes, as: UTF8.self)) }
    public func matches(_ s: String) -> Bool { re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
}
