import RunModel

/// A task of A paired with a task of B.
public struct TaskPair: Sendable {
    /// The task in A.
    public var a: TaskRecord
    /// The task in B.
    public var b: TaskRecord
    /// Whether the pair was matched by identical input (else by position in the step).
    public var byInput: Bool
}

/// Pairs tasks of two runs.
///
/// Within each step: first, tasks with the same non-empty `input` are paired (several with the
/// same input pair in task order); then the remaining tasks are paired by task order (task
/// identifiers compared numerically when both are numbers), but only when at least one of the
/// two has no input — two tasks with different inputs are never paired, they are listed as
/// only-in-A / only-in-B.
public enum TaskMatcher {
    /// The result of matching.
    public struct Result: Sendable {
        /// Matched pairs, by step then A's task order.
        public var pairs: [TaskPair]
        /// Tasks of A without a partner.
        public var onlyInA: [TaskRecord]
        /// Tasks of B without a partner.
        public var onlyInB: [TaskRecord]
    }

    /// Matches the latest attempts of `a` against those of `b`.
    public static func match(_ a: [TaskRecord], _ b: [TaskRecord]) -> Result {
        var result = Result(pairs: [], onlyInA: [], onlyInB: [])
        let stepsA = grouped(a), stepsB = grouped(b)
        var steps = stepsA.map(\.0)
        for (step, _) in stepsB where !steps.contains(step) { steps.append(step) }
        for step in steps {
            var left = stepsA.first { $0.0 == step }?.1 ?? []
            var right = stepsB.first { $0.0 == step }?.1 ?? []
            left.sort(by: taskOrder)
            right.sort(by: taskOrder)
            var usedRight = [Bool](repeating: false, count: right.count)
            var remainingLeft: [TaskRecord] = []
            for task in left {
                if !task.input.isEmpty,
                   let index = right.indices.first(where: { !usedRight[$0] && right[$0].input == task.input }) {
                    usedRight[index] = true
                    result.pairs.append(TaskPair(a: task, b: right[index], byInput: true))
                } else {
                    remainingLeft.append(task)
                }
            }
            var remainingRight = right.indices.filter { !usedRight[$0] }.map { right[$0] }
            var unmatchedLeft: [TaskRecord] = []
            for task in remainingLeft {
                if let index = remainingRight.firstIndex(where: { task.input.isEmpty || $0.input.isEmpty }) {
                    result.pairs.append(TaskPair(a: task, b: remainingRight.remove(at: index), byInput: false))
                } else {
                    unmatchedLeft.append(task)
                }
            }
            result.onlyInA += unmatchedLeft
            result.onlyInB += remainingRight
        }
        return result
    }

    /// Groups records by step, keeping the order in which steps first appear.
    static func grouped(_ records: [TaskRecord]) -> [(String, [TaskRecord])] {
        var order: [String] = []
        var groups: [String: [TaskRecord]] = [:]
        for record in records {
            if groups[record.identity.step] == nil { order.append(record.identity.step) }
            groups[record.identity.step, default: []].append(record)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    /// Task order: numeric identifiers numerically, then by string.
    static func taskOrder(_ x: TaskRecord, _ y: TaskRecord) -> Bool {
        let l = x.identity.task, r = y.identity.task
        if let li = Int(l), let ri = Int(r), li != ri { return li < ri }
        return l < r
    }

    /// `k=v, …` sorted by key.
    public static func describe(_ input: [String: String]) -> String {
        input.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}
