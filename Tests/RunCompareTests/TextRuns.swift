import Foundation
import LarderAPI
@testable import RunCompare
import RunModel

/// Small runs whose tasks carry one text artifact each, stored inline, with a chosen media type.
enum TextRuns {
    /// One task: step, task id, input, artifact text and media type.
    struct Task {
        var step = "transcribe"
        var task: String
        var input: [String: String]
        var text: String
        var mediaType = "text/plain"
        var duration = 10.0
        var status = 0
    }

    /// A digest that differs whenever the bytes differ (tests only).
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "sha256:" + String(repeating: String(format: "%016llx", hash), count: 4)
    }

    static func run(_ name: String, _ tasks: [Task], name artifact: String = "transcript") throws -> LoadedRun {
        var records: [TaskRecord] = []
        var inline: [String: String] = [:]
        for (index, spec) in tasks.enumerated() {
            var record = try Fixtures.record(step: spec.step, task: spec.task, input: spec.input, start: Double(index),
                                             duration: spec.duration, status: spec.status)
            record.identity = try TaskIdentity(flow: "F", run: name, step: spec.step, task: spec.task)
            let digest = digest(spec.text)
            inline[digest] = spec.text
            record.artifacts = [ArtifactReference(name: artifact, digest: digest, size: Int64(spec.text.utf8.count),
                                                  mediaType: spec.mediaType)]
            records.append(record)
        }
        return LoadedRun(document: RunDocument(flow: "F", run: name, tasks: records, inline: inline))
    }
}
