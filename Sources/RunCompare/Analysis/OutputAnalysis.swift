import Foundation
import RunModel

/// Compares the artifacts of matched tasks; texts (plain, or JSON `text` / `segments[].text`)
/// get WER of B against A.
enum OutputAnalysis {
    static func analyze(pairs: [TaskPair], a: LoadedRun, b: LoadedRun,
                        normalization: TextNormalization, diffHunks: Int) -> OutputSection {
        let results = ResultSlots<[(ArtifactComparison, WordErrorMeasures?)]>(count: pairs.count)
        ParallelWork.run(count: pairs.count) { index in
            results.set(index, compare(pairs[index], a: a, b: b, normalization: normalization, diffHunks: diffHunks))
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
            WERAggregate(key: key, texts: value.1, differing: value.2, measures: Measures(value.0))
        }
        return OutputSection(
            reference: "A", normalization: normalization, artifacts: artifacts,
            byStep: stepOrder.compactMap { key in byStep[key].map { aggregate(key, $0) } },
            byInput: inputOrder.compactMap { key in byInput[key].map { aggregate(key, $0) } },
            overall: overall.map { aggregate("all", $0) },
            same: same, differentText: text, differentBinary: binary, missing: missing)
    }

    /// Compares every artifact name of one pair.
    static func compare(_ pair: TaskPair, a: LoadedRun, b: LoadedRun,
                        normalization: TextNormalization, diffHunks: Int) -> [(ArtifactComparison, WordErrorMeasures?)] {
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
            if left.digest == right.digest { return (result, nil) }
            guard isTextual(left) || isTextual(right) else {
                result.status = "binary"
                return (result, nil)
            }
            guard let leftBytes = a.artifactBytes(pair.a.identity, left),
                  let rightBytes = b.artifactBytes(pair.b.identity, right) else {
                result.status = "unavailable"
                return (result, nil)
            }
            guard let reference = TranscriptText.extract(leftBytes, mediaType: left.mediaType),
                  let hypothesis = TranscriptText.extract(rightBytes, mediaType: right.mediaType) else {
                result.status = "binary"
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
