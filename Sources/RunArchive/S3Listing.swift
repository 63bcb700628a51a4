import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The objects of a ListObjectsV2 answer (all pages).
public struct S3Listing: Sendable {
    /// One object.
    public struct Object: Sendable, Hashable {
        /// Its key.
        public var key: String
        /// Its ETag, without quotes.
        public var etag: String
        /// Its size in bytes.
        public var size: Int64
    }

    /// The objects, in key order.
    public var objects: [Object] = []
    /// The prefixes one level down (with a delimiter).
    public var commonPrefixes: [String] = []
}

/// Reads S3's XML documents (ListBucketResult, InitiateMultipartUploadResult, Error) with Foundation's parser.
enum S3ListingParser {
    /// One page of a listing and the token of the next one.
    static func parse(_ body: [UInt8]) throws -> (listing: S3Listing, nextToken: String?) {
        let document = try ElementCollector.collect(body)
        var listing = S3Listing()
        for contents in document.groups("Contents") {
            guard let key = contents["Key"] else { continue }
            let etag = (contents["ETag"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            listing.objects.append(.init(key: key, etag: etag, size: Int64(contents["Size"] ?? "") ?? 0))
        }
        listing.commonPrefixes = document.groups("CommonPrefixes").compactMap { $0["Prefix"] }
        let truncated = document.value("IsTruncated") == "true"
        return (listing, truncated ? document.value("NextContinuationToken") : nil)
    }

    /// The `UploadId` of an InitiateMultipartUploadResult.
    static func uploadID(_ body: [UInt8]) throws -> String? {
        try ElementCollector.collect(body).value("UploadId")
    }

    /// The code and message of an S3 error body, when it is one.
    static func error(_ body: [UInt8]) -> (code: String, message: String)? {
        guard let document = try? ElementCollector.collect(body), let code = document.value("Code") else { return nil }
        return (code, document.value("Message") ?? "")
    }
}

/// A flat reading of a small XML document: the text of every leaf element, and the leaves of repeated groups
/// (`Contents`, `CommonPrefixes`) one map per occurrence.
private final class ElementCollector: NSObject, XMLParserDelegate {
    private static let groupNames: Set<String> = ["Contents", "CommonPrefixes"]
    private var values: [String: String] = [:]
    private var groups: [String: [[String: String]]] = [:]
    private var openGroup: (name: String, fields: [String: String])?
    private var text = ""

    static func collect(_ body: [UInt8]) throws -> ElementCollector {
        let collector = ElementCollector()
        let parser = XMLParser(data: Data(body))
        parser.delegate = collector
        guard parser.parse() else {
            throw S3Failure("s3_bad_answer", "S3 answered with a document that is not XML: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        return collector
    }

    func value(_ name: String) -> String? { values[name] }
    func groups(_ name: String) -> [[String: String]] { groups[name] ?? [] }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if Self.groupNames.contains(elementName) { openGroup = (elementName, [:]) }
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        if let group = openGroup, group.name == elementName {
            groups[elementName, default: []].append(group.fields)
            openGroup = nil
        } else if openGroup != nil {
            openGroup?.fields[elementName] = text
        } else {
            values[elementName] = text
        }
        text = ""
    }
}
