import Foundation
import XCTest
@testable import DinteroCheckout

/// The public surface against testdata/surface.json. Swift has no method reflection, so the
/// declarations are read from the package's sources: the generated files and Extensions.swift.
final class SurfaceTests: XCTestCase {
    private let surface: [String: Any] = {
        let data = try! Data(contentsOf: Emulator.testdata.appendingPathComponent("surface.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    private let lines: [Substring] = {
        let dir = Emulator.packageRoot.appendingPathComponent("Sources/DinteroCheckout")
        let files = ["Generated/DinteroCheckoutCore.swift", "Generated/DinteroCheckout.swift", "Extensions.swift",
                     "Loggers.swift"]
        return files.flatMap { try! String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false) }
    }()

    /// Every declaration and extension of `type`, each up to the next top-level declaration
    /// (the generated code is not indented, so a lone `}` does not end a type).
    private func bodies(of type: String) -> [String] {
        let starts = ["open class ", "public final class ", "public protocol ", "public struct ", "public enum ", "extension "]
        let ends = starts + ["public protocol ", "public func ", "public typealias ", "fileprivate ", "private "]
        var out: [String] = [], current: [Substring]? = nil
        for line in lines {
            if current != nil && ends.contains(where: { line.hasPrefix($0) }) {
                out.append(current!.joined(separator: "\n"))
                current = nil
            }
            if current != nil { current!.append(line); continue }
            for prefix in starts where line.hasPrefix(prefix + type) {
                let next = line.dropFirst(prefix.count + type.count).first
                if next == " " || next == ":" || next == "{" { current = [line] }
            }
        }
        return out + (current.map { [$0.joined(separator: "\n")] } ?? [])
    }

    /// How many parameters each `func name(` (or `init(`) in `text` declares; `var name:` is 0.
    private func arities(of name: String, in text: String) -> [Int] {
        var result: [Int] = []
        if text.contains("var \(name):") { result.append(0) }
        let opener = name == "init" ? "init(" : "func \(name)("
        var rest = Substring(text)
        while let start = rest.range(of: opener) {
            if name == "init", start.lowerBound > rest.startIndex,
               rest[rest.index(before: start.lowerBound)].isLetter { rest = rest[start.upperBound...]; continue }
            var depth = 1, commas = 0, empty = true
            var i = start.upperBound
            while i < rest.endIndex && depth > 0 {
                let c = rest[i]
                if "([<".contains(c) { depth += 1 } else if ")]>".contains(c) { depth -= 1 }
                else if c == "," && depth == 1 { commas += 1 }
                if depth > 0 && !c.isWhitespace { empty = false }
                i = rest.index(after: i)
            }
            result.append(empty ? 0 : commas + 1)
            rest = rest[i...]
        }
        return result
    }

    func testEveryTypeAndOperationExistsUnderItsSwiftName() {
        let types = surface["types"] as! [String: [String: String]]
        for (id, names) in types { if let swift = names["swift"] { XCTAssertFalse(bodies(of: swift).isEmpty, "no Swift type \(swift) (\(id))") } }
        let topLevel = lines.filter { $0.hasPrefix("public func ") }.joined(separator: "\n")
        var missing: [String] = []
        for op in surface["operations"] as! [[String: Any]] {
            let full = (op["names"] as! [String: String])["swift"]!
            let params = (op["params"] as? [String])?.count ?? 0
            let name = String(full.split(separator: ".").last!)
            let text = (op["on"] as? String).map { bodies(of: types[$0]!["swift"]!).joined(separator: "\n") } ?? topLevel
            if !arities(of: name, in: text).contains(params) { missing.append("\(op["id"]!): \(full) with \(params) parameters") }
        }
        XCTAssertEqual(missing, [], "missing from the Swift surface")
    }

    func testEveryErrorFieldExistsOnDinteroErrorAndEveryKindIsListed() {
        let types = surface["types"] as! [String: [String: String]]
        let error = bodies(of: types["Error"]!["swift"]!).joined(separator: "\n")
        for (id, names) in surface["error_fields"] as! [String: Any] where id != "about" {
            let name = (names as! [String: String])["swift"]!
            XCTAssertTrue(arities(of: name, in: error).contains(0), "DinteroError has no \(name)")
        }
        XCTAssertEqual(ErrorKind.allCases.map(\.value), surface["error_kinds"] as! [String])
    }

    func testTheDefaultsNamedInSurfaceJsonAreTheCoresDefaultsAllOfThem() {
        let fields = Mirror(reflecting: defaults()).children.map { child in
            child.label!.reduce("") { $0 + ($1.isUppercase ? "_" + $1.lowercased() : String($1)) }
        }
        var named = Set<String>()
        for op in surface["operations"] as! [[String: Any]] {
            for (_, key) in (op["defaults"] as? [String: String]) ?? [:] {
                let matches = key.hasSuffix("*") ? fields.filter { $0.hasPrefix(String(key.dropLast())) } : fields.filter { $0 == key }
                XCTAssertFalse(matches.isEmpty, "surface.json names default \(key), which Defaults lacks (\(fields))")
                named.formUnion(matches)
            }
        }
        XCTAssertEqual(Set(fields), named, "every field of Defaults is the default of some parameter")
    }
}
