import LarderAPI
import RunModel

/// The object keys of a run archive: where records and artifacts of runs live below `s3://BUCKET/PREFIX`.
public enum RunArchiveKeys {
    /// `PREFIX/runs/<flow>/<run>/<step>/<task>/<attempt>.json`.
    public static func record(_ location: S3Location, _ id: TaskIdentity) -> String {
        location.key(["runs", id.flow, id.run, id.step, id.task, "\(id.attempt).json"])
    }

    /// `PREFIX/runs/<flow>/<run>/` (with the slash, so run `1` does not match run `10`).
    public static func runPrefix(_ location: S3Location, flow: String, run: String) -> String {
        location.key(["runs", flow, run]) + "/"
    }

    /// `PREFIX/runs/<flow>/`.
    public static func flowPrefix(_ location: S3Location, flow: String) -> String {
        location.key(["runs", flow]) + "/"
    }

    /// `PREFIX/runs/`.
    public static func runsPrefix(_ location: S3Location) -> String {
        location.key(["runs"]) + "/"
    }

    /// `PREFIX/blobs/sha256/<hex>`.
    public static func blob(_ location: S3Location, _ digest: BlobDigest) -> String {
        location.key(["blobs", "sha256", digest.hex])
    }

    /// The names of a record key below `PREFIX/runs/`: flow, run, step, task, attempt; nil for other keys.
    public static func recordNames(_ key: String, location: S3Location) -> (flow: String, run: String, step: String, task: String, attempt: Int)? {
        let prefix = runsPrefix(location)
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4].hasSuffix(".json"), let attempt = Int(parts[4].dropLast(5)) else { return nil }
        return (parts[0], parts[1], parts[2], parts[3], attempt)
    }
}
