import Foundation
import Synchronization
import Upstream

/// AWS credentials for the run archive, from the standard environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) or a shared credentials file (`[default]` or `AWS_PROFILE`'s
/// section), re-read whenever the file changes, so rotated credentials are picked up without a restart.
public final class S3CredentialSource: Sendable {
    /// The credentials themselves.
    public struct Credentials: Sendable, Hashable {
        /// The access key id.
        public var accessKeyID: String
        /// The secret access key.
        public var secretAccessKey: String
        /// The session token of temporary credentials.
        public var sessionToken: String?
    }

    private let file: String?
    private let profile: String
    private let environment: [String: String]
    /// The file's identity when last read and what it held.
    private let cached = Mutex<(stamp: String, credentials: Credentials?)?>(nil)

    /// Reads `file` when given (profile `AWS_PROFILE` or `default`), else the environment.
    public init(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        self.environment = environment
        self.profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    /// The current credentials.
    /// - Throws: ``S3Failure`` (`s3_credentials`) saying where credentials were looked for.
    public func current() throws -> Credentials {
        guard let file else {
            guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
                  let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
                throw S3Failure("s3_credentials",
                                    "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --s3-credentials-file")
            }
            return Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }
        let stamp = Self.stamp(of: file)
        if let cached = cached.withLock({ $0 }), cached.stamp == stamp, let credentials = cached.credentials { return credentials }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw S3Failure("s3_credentials", "cannot read the S3 credentials file \(file)")
        }
        guard let credentials = Self.parse(text, profile: profile) else {
            throw S3Failure("s3_credentials",
                                "\(file) has no [\(profile)] section with aws_access_key_id and aws_secret_access_key")
        }
        cached.withLock { $0 = (stamp, credentials) }
        return credentials
    }

    /// Signing parameters for `region` with the current credentials.
    public func signing(region: String) throws -> AWSSigning {
        let credentials = try current()
        return AWSSigning(region: region, accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
                          sessionToken: credentials.sessionToken)
    }

    /// Parses the shared credentials file format (INI): the keys of section `[profile]`.
    static func parse(_ text: String, profile: String) -> Credentials? {
        var section = ""
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard let key = values["aws_access_key_id"], !key.isEmpty,
              let secret = values["aws_secret_access_key"], !secret.isEmpty else { return nil }
        return Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    /// Inode, size and modification time: a mounted Secret is updated by swapping a symlink.
    private static func stamp(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "missing" }
        return "\(info.st_ino)/\(info.st_size)/\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
