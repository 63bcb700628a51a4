import Foundation
import RunModel

/// Compares the artifacts of matched tasks; texts (plain, or JSON `text` / `segments[].text` /
/// `--text-field`) get WER of B against A.
///
/// Corpus WER counts every text pair: an identical pair adds its reference words as hits and no
/// errors, exactly as `jiwer.wer(list_of_refs, list_of_hyps)` does over lists.
enum OutputAnalysis {
    /// Artifacts stored as `application/octet-stream` (or without a media type) up to this size are
    /// read and treated as text when they are valid UTF-8 or JSON (records made before media types
    /// were detected).
    static let sniffLimit: Int64 = 16 << 20

    static func analyze(pairs: [TaskPair], a: LoadedRun, b: LoadedRun, normalization: TextNormalization,
                        diffHunks: Int, textField: TextFieldPath? = nil) -> OutputSection {
        let results = ResultSlots<[(ArtifactComparison, WordErrorMeasures?)]>(count: pairs.count)
        ParallelWork.run(count: pairs.count) { index in
            results.set(index, compare(pairs[index], a: a, b: b, normalization: normalization, diffHunks: diffHunks,
                                       textField: textField))
        }
        var artifacts: [ArtifactComparison] = []
        var byStep: [String: (WordErrorMeasures, Int, Int)] = [:], stepOrder: [String] = []
        var byInput: [String: (WordErrorMeasures, Int, Int)] = [:], inputOrder: [String] = []
        var overall: (WordErrorMeasures, Int, Int)?
        var same = 0, text = 0, binary = 0, missing = 0
        for entry in results.values().flatMap({ $0 ?? [] }) {
            artifacts.append(entry.0)
            switch entry.0.status {
            case "same": same += 1
            case "text": text += 1
            case "binary": binary += 1
            default: missing += 1
            }
            guard let measures = entry.1 else { continue }
            let differs = measures.errors > 0 ? 1 : 0
            func add(_ table: inout [String: (WordErrorMeasures, Int, Int)], _ order: inout [String], _ key: String) {
                if table[key] == nil { order.append(key) }
                let old = table[key] ?? (.zero, 0, 0)
                table[key] = (old.0 + measures, old.1 + 1, old.2 + differs)
            }
            add(&byStep, &stepOrder, entry.0.step)
            add(&byInput, &inputOrder, entry.0.input.isEmpty ? "(no input)" : entry.0.input)
            let old = overall ?? (.zero, 0, 0)
            overall = (old.0 + measures, old.1 + 1, old.2 + differs)
        }
        func aggregate(_ key: String, _ value: (WordErrorMeasures, Int, Int)) -> WERAggregate {
            WERAggregate(key: key, texts: value.1, differ: value.2, measures: Measures(value.0))
        }
        return OutputSection(
            reference: "A", normalization: normalization, textField: textField?.description, artifacts: artifacts,
            byStep: stepOrder.compactMap { key in byStep[key].map { aggregate(key, $0) } },
            byInput: inputOrder.compactMap { key in byInput[key].map { aggregate(key, $0) } },
            overall: overall.map { aggregate("all", $0) },
            same: same, differentText: text, differentBinary: binary, missing: missing)
    }

    /// Compares every artifact name of one pair. Identical texts get measures too (all hits).
    static func compare(_ pair: TaskPair, a: LoadedRun, b: LoadedRun, normalization: TextNormalization,
                        diffHunks: Int, textField: TextFieldPath? = nil) -> [(ArtifactComparison, WordErrorMeasures?)] {
        var names = pair.a.artifacts.map(\.name)
        for artifact in pair.b.artifacts where !names.contains(artifact.name) { names.append(artifact.name) }
        return names.map { name in
            let left = pair.a.artifacts.first { $0.name == name }
            let right = pair.b.artifacts.first { $0.name == name }
            var result = ArtifactComparison(
                step: pair.a.identity.step, taskA: pair.a.identity.task, taskB: pair.b.identity.task,
                input: TaskMatcher.describe(pair.a.input), name: name, status: "same",
                sizeA: left?.size, sizeB: right?.size, digestA: left?.digest, digestB: right?.digest,
                measures: nil, diff: nil)
            guard let left, let right else {
                result.status = left == nil ? "only-in-b" : "only-in-a"
                return (result, nil)
            }
            let textual = isTextual(left) || isTextual(right)
            let sniffable = isOpaque(left) && isOpaque(right) && max(left.size, right.size) <= sniffLimit
            if left.digest == right.digest {
                // Identical bytes: when they are a text, count its words as hits (corpus WER).
                guard textual || sniffable, let bytes = a.artifactBytes(pair.a.identity, left),
                      let reference = TranscriptText.extract(bytes, mediaType: left.mediaType, field: textField)
                else { return (result, nil) }
                let measures = WordErrorRate.compare(
                    reference: reference, hypothesis: reference, normalization: normalization, diffLimit: 0).measures
                result.measures = Measures(measures)
                return (result, measures)
            }
            guard textual || sniffable else {
                result.status = "binary"
                return (result, nil)
            }
            guard let leftBytes = a.artifactBytes(pair.a.identity, left),
                  let rightBytes = b.artifactBytes(pair.b.identity, right) else {
                result.status = textual ? "unavailable" : "binary"
                return (result, nil)
            }
            guard let reference = TranscriptText.extract(leftBytes, mediaType: left.mediaType, field: textField),
                  let hypothesis = TranscriptText.extract(rightBytes, mediaType: right.mediaType, field: textField) else {
                let json = (try? JSONSerialization.jsonObject(with: leftBytes, options: [.fragmentsAllowed])) != nil
                result.status = textField != nil && json ? "no-text-field" : "binary"
                return (result, nil)
            }
            let comparison = WordErrorRate.compare(
                reference: reference, hypothesis: hypothesis, normalization: normalization, diffLimit: diffHunks)
            result.status = "text"
            result.measures = Measures(comparison.measures)
            result.diff = comparison.diff
            return (result, comparison.measures)
        }
    }

    /// Whether the artifact declares no useful media type (its content is sniffed).
    static func isOpaque(_ artifact: ArtifactReference) -> Bool {
        let type = artifact.mediaType.lowercased()
        return type.isEmpty || type.hasPrefix("application/octet-stream")
    }

    static func isTextual(_ artifact: ArtifactReference) -> Bool {
        let type = artifact.mediaType.lowercased()
        if type.hasPrefix("text/") || type.contains("json") { return true }
        let name = artifact.name.lowercased()
        return name.hasSuffix(".txt") || name.hasSuffix(".json") || name.hasSuffix(".vtt") || name.hasSuffix(".srt")
            || name == "transcript" || name == "text"
    }
}

/// Per-index results written from ``ParallelWork`` threads.
///
/// `@unchecked Sendable` invariant: `storage` is only touched while holding `lock`.
final class ResultSlots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    func values() -> [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
