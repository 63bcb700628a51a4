import Foundation

/// A real S3 API on loopback: moto in server mode with signature checking on (`Fixtures/moto_s3.py`), one bucket,
/// and the access key of a user allowed to use it. Needs the venv `tools/venv.sh s3` prepares (tools/test.sh does).
public final class MotoS3Fixture: Sendable {
    /// The moto process.
    public let process: FixtureProcess
    /// The bucket created for the test.
    public let bucket: String
    /// The access key id of the bucket's user.
    public let accessKeyID: String
    /// Its secret.
    public let secretAccessKey: String

    /// `http://127.0.0.1:<port>`.
    public var endpoint: String { process.url }

    private init(process: FixtureProcess, bucket: String, accessKeyID: String, secretAccessKey: String) {
        self.process = process
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// Starts moto and creates `bucket`.
    public static func start(bucket: String = "larder-runs") async throws -> MotoS3Fixture {
        let check = try await ProcessRunner.run(BuiltExecutable.repositoryRoot.appendingPathComponent("tools/venv.sh").path,
                                                ["s3", "--check", "--print-python"])
        guard check.status == 0 else { throw FixtureError("the moto venv is missing: \(check.stderr) (run tools/test.sh)") }
        let python = check.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let keysFile = directory + "/keys.json"
        let process = try await FixtureProcess.launchPython(
            [FixtureProcess.script("moto_s3.py", besides: #filePath), "--port-file", directory + "/port", "--keys-file", keysFile, "--bucket", bucket],
            port: .file(directory + "/port"), timeout: .seconds(60), interpreter: python)
        guard let data = FileManager.default.contents(atPath: keysFile),
              let keys = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let key = keys["accessKeyId"] as? String, let secret = keys["secretAccessKey"] as? String else {
            process.stop()
            throw FixtureError("moto did not write its keys: \(process.child.stderr.suffix(1000))")
        }
        return MotoS3Fixture(process: process, bucket: bucket, accessKeyID: key, secretAccessKey: secret)
    }

    /// A shared credentials file (`[default]`) with this user's key, or with `secret` instead of the right one.
    public func writeCredentials(to path: String, secret: String? = nil) throws {
        let text = "[default]\naws_access_key_id = \(accessKeyID)\naws_secret_access_key = \(secret ?? secretAccessKey)\n"
        try text.write(toFile: path + ".tmp", atomically: false, encoding: .utf8)
        _ = rename(path + ".tmp", path)
    }

    /// The `larder serve` arguments for a run tier in this bucket under `prefix`, credentials from `credentialsFile`.
    public func serveArguments(prefix: String, credentialsFile: String) -> [String] {
        ["--runs-s3", "s3://\(bucket)/\(prefix)", "--s3-endpoint", endpoint, "--s3-path-style", "--s3-credentials-file", credentialsFile]
    }

    /// The keys and ETags under `prefix`, listed with curl's own SigV4 signer (an independent client).
    public func list(prefix: String) async throws -> [(key: String, etag: String)] {
        let url = "\(endpoint)/\(bucket)?list-type=2&prefix=\(prefix.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? prefix)"
        let outcome = try await ProcessRunner.tool(["curl", "-sS", "--aws-sigv4", "aws:amz:us-east-1:s3", "-u", "\(accessKeyID):\(secretAccessKey)",
                                                    "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url])
        guard outcome.status == 0, outcome.stdout.contains("<ListBucketResult") else {
            throw FixtureError("listing \(prefix) failed: \(outcome.stdout.prefix(500)) \(outcome.stderr)")
        }
        var result: [(String, String)] = []
        for part in outcome.stdout.components(separatedBy: "<Contents>").dropFirst() {
            guard let key = Self.element("Key", in: part), let etag = Self.element("ETag", in: part) else { continue }
            result.append((key, etag.replacingOccurrences(of: "&#34;", with: "").replacingOccurrences(of: "\"", with: "")))
        }
        return result
    }

    /// Replaces the object at `key` with `bytes`, with curl's own SigV4 signer (to damage a copy behind Larder's back).
    public func put(key: String, bytes: Data) async throws {
        let outcome = try await ProcessRunner.tool(["curl", "-sS", "-f", "-X", "PUT", "--aws-sigv4", "aws:amz:us-east-1:s3",
                                                    "-u", "\(accessKeyID):\(secretAccessKey)", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                                    "--data-binary", "@-", "\(endpoint)/\(bucket)/\(key)"], stdin: bytes)
        guard outcome.status == 0 else { throw FixtureError("putting \(key) failed: \(outcome.stderr)") }
    }

    /// Stops answering (SIGSTOP): connections are accepted by the kernel and then nothing happens, like a hung S3.
    public func pause() { process.child.signal(SIGSTOP) }

    /// Answers again (SIGCONT).
    public func resume() { process.child.signal(SIGCONT) }

    /// Kills moto.
    public func stop() {
        resume()
        process.stop()
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "<\(name)>"), let end = text.range(of: "</\(name)>", range: start.upperBound..<text.endIndex) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
