import Foundation

/// Which files the Hub keeps in LFS by default (its `.gitattributes` template), so an imported directory is served
/// with the same ETags the Hub would send.
public enum HFLFSRule {
    /// Suffixes (and names) the Hub's default `.gitattributes` tracks with LFS.
    package static let suffixes: [String] = [
        ".7z", ".arrow", ".bin", ".bz2", ".ckpt", ".ftz", ".gz", ".h5", ".joblib", ".tflite", ".mlmodel", ".model",
        ".msgpack", ".npy", ".npz", ".onnx", ".ot", ".parquet", ".pb", ".pickle", ".pkl", ".pt", ".pth", ".rar",
        ".safetensors", ".tar", ".tgz", ".wasm", ".xz", ".zip", ".zst", ".gguf", ".ggml", ".mp3", ".wav", ".ogg",
        ".flac", ".png", ".jpg", ".jpeg", ".webp", ".mp4", ".lz4", ".tar.gz",
    ]

    /// Files larger than this go to LFS whatever their name (the Hub refuses larger plain git files).
    package static let sizeLimit: Int64 = 10 << 20

    /// Whether a file at `path` of `size` bytes is stored in LFS.
    public static func isLFS(path: String, size: Int64) -> Bool {
        if size > sizeLimit { return true }
        let name = path.split(separator: "/").last.map { $0.lowercased() } ?? path.lowercased()
        return suffixes.contains { name.hasSuffix($0) } || name.hasSuffix("tfevents") || name.contains(".tfevents.")
    }
}
