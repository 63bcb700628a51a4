import Foundation
import Testing
@testable import RunCompare

/// Validates the JSON output against `docs/runcmp/report.schema.json`.
@Suite struct SchemaTests {
    static let schemaURL = Fixtures.repositoryRoot.appendingPathComponent("docs/runcmp/report.schema.json")

    func load() throws -> (schema: [String: Any], report: Any) {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)) as? [String: Any])
        let report = try JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(try Fixtures.report()).utf8))
        return (schema, report)
    }

    @Test func reportMatchesSchema() throws {
        let (schema, report) = try load()
        let errors = JSONSchemaValidator(root: schema).validate(report)
        #expect(errors.isEmpty, "schema violations: \(errors.prefix(10))")
    }

    @Test func validatorRejectsBrokenReports() throws {
        let (schema, report) = try load()
        var broken = try #require(report as? [String: Any])
        broken["schema"] = "runcmp.report/v0"
        broken.removeValue(forKey: "timings")
        broken["surprise"] = 1
        let errors = JSONSchemaValidator(root: schema).validate(broken)
        #expect(errors.count >= 3)
    }
}

/// A validator for the subset of JSON Schema the report schema uses: `type`, `properties`,
/// `required`, `additionalProperties: false`, `items`, `enum`, `const`, `$ref` to `#/$defs/…`.
struct JSONSchemaValidator {
    let root: [String: Any]

    func validate(_ value: Any) -> [String] { check(value, root, "$") }

    private func check(_ value: Any, _ schema: [String: Any], _ path: String) -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = ref.replacingOccurrences(of: "#/$defs/", with: "")
            guard let defs = root["$defs"] as? [String: Any], let target = defs[name] as? [String: Any] else {
                return ["\(path): unknown $ref \(ref)"]
            }
            return check(value, target, path)
        }
        var errors: [String] = []
        if let types = schema["type"] {
            let allowed = (types as? [String]) ?? [(types as? String) ?? ""]
            if !allowed.contains(where: { matches(value, $0) }) { return ["\(path): expected \(allowed), got \(type(of: value))"] }
        }
        if let constant = schema["const"] as? String, (value as? String) != constant { errors.append("\(path): expected \(constant)") }
        if let options = schema["enum"] as? [String], let text = value as? String, !options.contains(text) {
            errors.append("\(path): \(text) not in \(options)")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path): missing \(key)") }
            for (key, child) in object {
                if let childSchema = properties[key] as? [String: Any] {
                    errors += check(child, childSchema, "\(path).\(key)")
                } else if (schema["additionalProperties"] as? Bool) == false {
                    errors.append("\(path): unexpected property \(key)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, element) in array.enumerated() { errors += check(element, items, "\(path)[\(index)]") }
        }
        return errors
    }

    private func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return value is Bool
        case "integer":
            if let number = value as? NSNumber { return number.doubleValue.rounded() == number.doubleValue }
            return value is Int
        case "number": return value is NSNumber || value is Double || value is Int
        case "null": return value is NSNull
        default: return false
        }
    }
}

/// The v2 additions validate too: selectors with a trade-off, and runs without tasks.
@Suite struct SchemaEdgeTests {
    @Test func selectorAndEmptyReportsMatchTheSchema() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: SchemaTests.schemaURL)) as? [String: Any])
        let run = try SelectorTests.run()
        let (_, tiny) = try SideSelector.split("F/1[model=tiny]")
        let (_, large) = try SideSelector.split("F/1[model=large]")
        let selected = try RunComparer.compare(run, tiny, run, large)
        let empty = RunComparer.compare(EdgeRunTests.empty("A"), EdgeRunTests.empty("B"))
        for report in [selected, empty] {
            let json = try JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(report).utf8))
            let errors = JSONSchemaValidator(root: schema).validate(json)
            #expect(errors.isEmpty, "schema violations: \(errors.prefix(10))")
        }
        #expect(selected.tradeOff != nil && empty.runs.a.start == nil)
    }
}

/// Readers reject a report of another major version (v1's `texts` and WER meant something else).
@Suite struct ReportVersionTests {
    @Test func otherMajorVersionsAreRejected() throws {
        let json = try JSONRenderer.render(try Fixtures.report())
        #expect(try JSONRenderer.decode(Data(json.utf8)).schema == "runcmp.report/v2")
        let old = json.replacingOccurrences(of: "\"runcmp.report/v2\"", with: "\"runcmp.report/v1\"")
        #expect(throws: RunCompareError.self) { try JSONRenderer.decode(Data(old.utf8)) }
    }
}

/// The Fetches section and its findings validate, and the schema describes them closely enough to reject a stray field.
@Suite struct FetchSchemaTests {
    @Test func fetchesMatchTheSchema() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: SchemaTests.schemaURL)) as? [String: Any])
        let reports = [try Fixtures.report(), try FetchFindingTests.compare(duration: 100, seconds: 10, oneNode: true)]
        for report in reports {
            #expect(report.fetches != nil)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try JSONRenderer.render(report).utf8)) as? [String: Any])
            #expect(JSONSchemaValidator(root: schema).validate(json).isEmpty, "\(JSONSchemaValidator(root: schema).validate(json).prefix(10))")
            var fetches = try #require(json["fetches"] as? [String: Any])
            var steps = try #require(fetches["steps"] as? [[String: Any]])
            var a = try #require(steps[0]["a"] as? [String: Any])
            a["waitedSeconds"] = 1
            steps[0]["a"] = a
            fetches["steps"] = steps
            var broken = json
            broken["fetches"] = fetches
            #expect(JSONSchemaValidator(root: schema).validate(broken).contains { $0.contains("unexpected property waitedSeconds") })
        }
        let kinds = try Fixtures.report().findings.map(\.kind)
        #expect(kinds.contains("fetching") && kinds.contains("repeated-download"))
    }
}
