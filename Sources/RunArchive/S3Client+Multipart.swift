import LarderAPI
import Upstream

extension S3Client {
    /// Stores a large body under `key` as a multipart upload in parts of ``RunArchiveConfiguration/partSize``, each
    /// part read from `reader` at its offset (nothing held in memory); aborts the upload when a part fails.
    public func putMultipart(_ key: String, reader: any UploadReader, contentType: String) async throws {
        let created = try await exchange(request(.post, key: key, query: "uploads=", body: .bytes([]),
                                                 headers: [("Content-Type", contentType)]))
        guard let uploadID = try S3ListingParser.uploadID(created.body) else {
            throw S3Failure("s3_bad_answer", "S3 started a multipart upload of \(key) without an UploadId")
        }
        let partSize = max(5 << 20, configuration.partSize)
        var etags: [String] = []
        do {
            var offset: Int64 = 0
            var number = 1
            while offset < reader.length || (reader.length == 0 && number == 1) {
                let part = PartReader(base: reader, offset: offset, length: min(partSize, reader.length - offset))
                let query = "partNumber=\(number)&uploadId=\(PercentEscaping.segment(uploadID))"
                let answer = try await exchange(request(.put, key: key, query: query, body: .reader(part),
                                                        headers: [("Content-Length", String(part.length))]))
                guard let etag = answer.head.header("ETag") else {
                    throw S3Failure("s3_bad_answer", "S3 accepted part \(number) of \(key) without an ETag")
                }
                etags.append(etag)
                offset += part.length
                number += 1
            }
            let parts = etags.enumerated().map { "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\(Self.xmlEscaped($0.element))</ETag></Part>" }
            let document = Array("<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>".utf8)
            let answer = try await exchange(request(.post, key: key, query: "uploadId=\(PercentEscaping.segment(uploadID))",
                                                    body: .bytes(document), headers: [("Content-Type", "application/xml")]))
            // S3 may answer 200 with an error document when completing fails late.
            if let error = S3ListingParser.error(answer.body) {
                throw S3Failure("s3_error", "S3 could not complete the upload of \(key): \(error.code): \(error.message)")
            }
        } catch {
            _ = try? await exchange(request(.delete, key: key, query: "uploadId=\(PercentEscaping.segment(uploadID))"), accept: [404])
            throw error
        }
    }

    private static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// A window `[offset, offset + length)` of another body.
struct PartReader: UploadReader {
    let base: any UploadReader
    let offset: Int64
    let length: Int64

    func read(at position: Int64, into target: UnsafeMutableRawBufferPointer) -> Int? {
        let wanted = Int(min(Int64(target.count), length - position))
        guard wanted > 0 else { return 0 }
        return base.read(at: offset + position, into: UnsafeMutableRawBufferPointer(rebasing: target[0..<wanted]))
    }
}
