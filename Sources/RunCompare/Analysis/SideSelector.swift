import Foundation
import LarderAPI
import RunModel

/// Selects a subset of a run's tasks as one side of a comparison: `RUN[model=tiny]`.
///
/// Syntax: a run reference followed by `[FILTER,FILTER…]`; every filter must hold (AND).
/// - `step=NAME`: tasks of that step;
/// - `task=ID`: that task;
/// - `KEY=VALUE` (or `input.KEY=VALUE` when the input key is itself `step` or `task`): tasks whose
///   `input` has that value.
///
/// Input keys used by either side's selector are left out when tasks are matched, so
/// `RUN[model=tiny]` against `RUN[model=large]` pairs the tiny and large tasks of the same video.
public struct SideSelector: Sendable, Equatable, CustomStringConvertible {
    /// One condition.
    public enum Filter: Sendable, Equatable {
        /// The task's step.
        case step(String)
        /// The task identifier.
        case task(String)
        /// An input value.
        case input(key: String, value: String)
    }

    /// The conditions, all of which must hold.
    public var filters: [Filter]

    /// The filters as written inside the brackets, e.g. `model=tiny`.
    public var description: String {
        filters.map { filter in
            switch filter {
            case .step(let name): return "step=\(name)"
            case .task(let id): return "task=\(id)"
            case .input(let key, let value): return (key == "step" || key == "task" ? "input." : "") + "\(key)=\(value)"
            }
        }.joined(separator: ",")
    }

    /// Input keys this selector filters on.
    public var inputKeys: [String] {
        filters.compactMap { if case .input(let key, _) = $0 { return key } else { return nil } }
    }

    /// Creates a selector from filters.
    public init(filters: [Filter]) { self.filters = filters }

    /// Splits `REF[FILTERS]` into the reference and its selector; an argument without a trailing
    /// `[…]` has no selector.
    /// - Throws: ``RunCompareError/invalidReference(_:)`` for an empty or malformed filter list.
    public static func split(_ argument: String) throws -> (reference: String, selector: SideSelector?) {
        guard argument.hasSuffix("]"), let open = argument.lastIndex(of: "[") else { return (argument, nil) }
        let reference = String(argument[..<open])
        let body = argument[argument.index(after: open)..<argument.index(before: argument.endIndex)]
        let usage = "write selectors as RUN[KEY=VALUE,…] with step=NAME, task=ID or an input key, e.g. Whisper/100[model=tiny]"
        guard !reference.isEmpty else { throw RunCompareError.invalidReference("\"\(argument)\" names no run before \"[\"; \(usage)") }
        var filters: [Filter] = []
        for part in body.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let equals = item.firstIndex(of: "=") else {
                throw RunCompareError.invalidReference("\"\(item)\" in \"\(argument)\" is not KEY=VALUE; \(usage)")
            }
            let key = String(item[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(item[item.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !value.isEmpty else {
                throw RunCompareError.invalidReference("\"\(item)\" in \"\(argument)\" needs both a key and a value; \(usage)")
            }
            switch key {
            case "step": filters.append(.step(value))
            case "task": filters.append(.task(value))
            default:
                let inputKey = key.hasPrefix("input.") ? String(key.dropFirst(6)) : key
                guard !inputKey.isEmpty else {
                    throw RunCompareError.invalidReference("\"\(item)\" in \"\(argument)\" names no input key; \(usage)")
                }
                filters.append(.input(key: inputKey, value: value))
            }
        }
        return (reference, SideSelector(filters: filters))
    }

    /// Whether `record` satisfies every filter.
    public func matches(_ record: TaskRecord) -> Bool {
        filters.allSatisfy { filter in
            switch filter {
            case .step(let name): return record.identity.step == name
            case .task(let id): return record.identity.task == id
            case .input(let key, let value): return record.input[key] == value
            }
        }
    }

    /// The tasks of `document` this selector keeps (every attempt of each kept task).
    /// - Throws: ``RunCompareError/invalidReference(_:)`` naming the available keys when a key is
    ///   unknown, or the values present when nothing is selected.
    public func select(_ document: RunDocument) throws -> [TaskRecord] {
        let tasks = document.latestAttempts
        let inputKeys = Set(tasks.flatMap(\.input.keys)).sorted()
        let available = (["step", "task"] + inputKeys.map { $0 == "step" || $0 == "task" ? "input.\($0)" : $0 })
            .joined(separator: ", ")
        for case .input(let key, _) in filters where !inputKeys.contains(key) {
            throw RunCompareError.invalidReference(
                "\(document.name) has no input key \"\(key)\"; available keys: \(available)")
        }
        let selected = document.tasks.filter(matches)
        guard !selected.isEmpty else {
            let values = filters.map { filter -> String in
                switch filter {
                case .step: return "steps: " + Self.list(tasks.map(\.identity.step))
                case .task: return "tasks: " + Self.list(tasks.map(\.identity.task))
                case .input(let key, _): return "\(key): " + Self.list(tasks.compactMap { $0.input[key] })
                }
            }
            throw RunCompareError.invalidReference(
                "\(document.name)[\(description)] selects no task; "
                    + (tasks.isEmpty ? "the run has no tasks" : "values present: " + values.joined(separator: "; "))
                    + "; available keys: \(available)")
        }
        return selected
    }

    private static func list(_ values: [String]) -> String {
        var seen: [String] = []
        for value in values where !seen.contains(value) { seen.append(value) }
        return seen.prefix(20).joined(separator: ", ") + (seen.count > 20 ? ", …" : "")
    }
}

/// Applies side selectors to two loaded runs before they are compared.
enum SideSelection {
    /// The runs reduced to their selected tasks, with the selectors' input keys removed from
    /// every task's input (so the remaining inputs match). When both sides select a single,
    /// different step, both are renamed `A-step|B-step` so their tasks are paired.
    static func apply(_ a: LoadedRun, _ selectorA: SideSelector?, _ b: LoadedRun, _ selectorB: SideSelector?) throws
        -> (LoadedRun, LoadedRun) {
        let ignored = Set((selectorA?.inputKeys ?? []) + (selectorB?.inputKeys ?? []))
        var tasksA = try selectorA?.select(a.document) ?? a.document.tasks
        var tasksB = try selectorB?.select(b.document) ?? b.document.tasks
        var stepName: String?
        let stepsA = Set(tasksA.map(\.identity.step)), stepsB = Set(tasksB.map(\.identity.step))
        if selectorA?.filters.contains(where: { if case .step = $0 { true } else { false } }) == true,
           selectorB?.filters.contains(where: { if case .step = $0 { true } else { false } }) == true,
           stepsA.count == 1, stepsB.count == 1, let left = stepsA.first, let right = stepsB.first, left != right {
            stepName = "\(left)|\(right)"
        }
        func reshape(_ tasks: inout [TaskRecord]) -> [TaskIdentity: TaskIdentity] {
            var original: [TaskIdentity: TaskIdentity] = [:]
            for index in tasks.indices {
                for key in ignored { tasks[index].input[key] = nil }
                let identity = tasks[index].identity
                if let stepName, let renamed = try? TaskIdentity(
                    flow: identity.flow, run: identity.run, step: stepName, task: identity.task, attempt: identity.attempt) {
                    tasks[index].identity = renamed
                    original[renamed] = identity
                }
            }
            return original
        }
        let originalA = reshape(&tasksA), originalB = reshape(&tasksB)
        func loaded(_ run: LoadedRun, _ tasks: [TaskRecord], _ original: [TaskIdentity: TaskIdentity]) -> LoadedRun {
            var document = run.document
            document.tasks = tasks
            let read = run.artifactBytes
            return LoadedRun(document: document) { identity, artifact in read(original[identity] ?? identity, artifact) }
        }
        return (loaded(a, tasksA, originalA), loaded(b, tasksB, originalB))
    }
}
