import Foundation

/// A short, plain description of `error` for a one-sentence CLI message: the reason of a Foundation error or a
/// JSON decoding failure, never their debug dumps.
public func describe(_ error: any Error) -> String {
    switch error {
    case let error as ClientError:
        return error.message
    case let error as DecodingError:
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "the field \(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type (\(context.debugDescription))"
        @unknown default:
            return "it does not have the expected JSON structure"
        }
    case let error as CocoaError:
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "the file cannot be decoded"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "a file is in the way"
        default: return "file operation failed (code \(error.code.rawValue))"
        }
    case let error as POSIXError:
        return String(cString: strerror(error.code.rawValue))
    default:
        if type(of: error) is NSError.Type {
            return (error as NSError).localizedDescription
        }
        return "\(error)"
    }
}

private func path(_ keys: [any CodingKey]) -> String {
    keys.isEmpty ? "the document" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}
