import LarderAPI
import RunModel

/// Turns what a run's tasks fetched (the `fetches` of their records) into warm references: Hugging Face files grouped
/// by `hf://repo@revision` with `include` naming exactly the files, URLs and image references as recorded.
/// Objects recorded only by digest (`sha256:…`) name no source to fetch from and are left out.
public enum RunWarmReferences {
    /// Splits `FLOW/RUN`, checking both names.
    public static func parseRun(_ text: String) throws(LarderFailure) -> (flow: String, run: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw .invalidRequest("invalid_from_run", "fromRun \"\(text.prefix(200))\" is not FLOW/RUN (e.g. WhisperFlow/1712)")
        }
        do {
            try TaskIdentity.validateName(parts[0], field: "flow")
            try TaskIdentity.validateName(parts[1], field: "run")
        } catch {
            throw .invalidRequest("invalid_from_run", "fromRun \"\(text.prefix(200))\": \(error)")
        }
        return (parts[0], parts[1])
    }

    /// The references for `records` (only the tasks of `step`, when given), in first-fetched order; `skipped` counts
    /// the distinct objects that name no source.
    public static func references(_ records: [TaskRecord], step: String?) -> (refs: [WarmRequest.Reference], skipped: Int) {
        var order: [String] = []
        var files: [String: [String]] = [:]
        var seenFiles = Set<String>()
        var skipped = Set<String>()
        let items = records.filter { step == nil || $0.identity.step == step }
            .flatMap { $0.fetches?.items ?? [] }
            .sorted { $0.start < $1.start }
        for item in items {
            if item.ref.hasPrefix("sha256:") {
                skipped.insert(item.ref)
                continue
            }
            if files[item.ref] == nil { order.append(item.ref) }
            var paths = files[item.ref, default: []]
            if item.ref.hasPrefix("hf://"), let path = item.path, seenFiles.insert(item.ref + "\u{0}" + path).inserted {
                paths.append(path)
            }
            files[item.ref] = paths
        }
        let refs = order.map { ref -> WarmRequest.Reference in
            guard ref.hasPrefix("hf://"), let paths = files[ref], !paths.isEmpty else { return WarmRequest.Reference(ref: ref) }
            return WarmRequest.Reference(ref: ref, include: paths.map(globLiteral))
        }
        return (refs, skipped.count)
    }

    /// `request` with the references of its `fromRun` added (read through `catalog`, so runs recorded on other nodes
    /// count too); unchanged without `fromRun`. Throws `404` when the run, the step or any recorded fetch is missing.
    public static func expand(_ request: WarmRequest, catalog: RunCatalog) async throws -> WarmRequest {
        guard let fromRun = request.fromRun else { return request }
        let (flow, run) = try parseRun(fromRun)
        let records = try await catalog.taskRecords(flow: flow, run: run)
        guard !records.isEmpty else { throw LarderFailure.notFound("run_not_found", "no tasks recorded for \(flow)/\(run)") }
        if let step = request.step, !records.contains(where: { $0.identity.step == step }) {
            let steps = Set(records.map(\.identity.step)).sorted().joined(separator: ", ")
            throw LarderFailure.notFound("step_not_found", "run \(flow)/\(run) has no step \(step.prefix(100)) (steps: \(steps))")
        }
        let (refs, _) = references(records, step: request.step)
        guard !refs.isEmpty else {
            throw LarderFailure.notFound("no_recorded_fetches", "the records of \(flow)/\(run)\(request.step.map { " step \($0)" } ?? "") list no "
                                            + "fetches to warm (run its tasks under `larder run` against a Larder that attributes fetches)")
        }
        var expanded = request
        for ref in refs where !expanded.refs.contains(ref) { expanded.refs.append(ref) }
        return expanded
    }

    /// `path` as a glob that matches only itself (`*`, `?` and `[` bracketed).
    static func globLiteral(_ path: String) -> String {
        var glob = ""
        for character in path {
            switch character {
            case "*", "?", "[": glob += "[\(character)]"
            default: glob.append(character)
            }
        }
        return glob
    }
}
