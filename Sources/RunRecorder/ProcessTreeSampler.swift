import Glibc

/// Measures the CPU and memory of a process and all its descendants by walking `/proc`.
///
/// Each ``sample()`` reads `/proc/<pid>/stat` of every process, links them by parent pid and
/// takes the tree below `rootPID`. CPU is cumulative and includes descendants that have exited:
///
/// - **Reaped descendants.** A process's `cutime + cstime` (fields 16–17) hold the CPU of every
///   child it has waited for, including what those children had waited for. A process's
///   contribution is therefore `utime + stime + cutime + cstime`, so a short-lived grandchild
///   that starts and is reaped between two samples is still counted through its parent.
/// - **Last-seen values.** The sampler remembers every tree member (by pid and start time) with
///   its last contribution. When a member disappears its last contribution is credited to its
///   nearest surviving ancestor as a lower bound on that ancestor's reaped time; the ancestor then
///   counts `max(actual reaped, reaped when first seen + credits)`. This covers parents that let
///   children be auto-reaped (`SIGCHLD` ignored), which never reach `cutime`.
/// - **Orphans.** Membership is sticky: a descendant reparented to init (or a subreaper) outside the
///   tree stays tracked while it lives, and when it exits its last-seen CPU is kept in a separate total.
///   With `includeProcessGroup` (the root leads its own process group), every process in that group
///   is a member too, so orphans are found even if they were reparented before the first sample.
///
/// Limits: CPU a process uses after the last sample it was seen in is lost unless its parent
/// reaps it by waiting (orphans reaped by init, auto-reaped children: up to one interval each);
/// processes that start and exit between two samples without being waited for by a tree member
/// are not seen at all, nor are orphans that left the process group (`setsid`, daemons) before
/// a sample saw them; tick resolution is 1/`CLK_TCK` s (usually 10 ms). Memory is the sum of
/// RSS, which counts pages shared between processes (libraries, fork copy-on-write) once per process.
public struct ProcessTreeSampler: Sendable {
    /// The process whose tree is measured.
    public let rootPID: Int32
    /// The proc file system root, `/proc` outside tests.
    public let procRoot: String
    /// Whether members of the process group `rootPID` count as part of the tree.
    public let includeProcessGroup: Bool

    private let ticksPerSecond: Double
    private let pageSize: Int64
    private var members: [Int32: TreeMember] = [:]
    private var exitedOrphanTicks: Int64 = 0
    private var reportedTicks: Int64 = 0

    /// Creates a sampler for `rootPID` and its descendants.
    /// - Parameter includeProcessGroup: also count every process whose process group is `rootPID`;
    ///   set it when the root was started as the leader of a new process group.
    public init(rootPID: Int32, procRoot: String = "/proc", includeProcessGroup: Bool = false) {
        self.rootPID = rootPID
        self.procRoot = procRoot
        self.includeProcessGroup = includeProcessGroup
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        ticksPerSecond = ticks > 0 ? Double(ticks) : 100
        let page = sysconf(Int32(_SC_PAGESIZE))
        pageSize = page > 0 ? Int64(page) : 4096
    }

    /// Reads the tree now and returns cumulative CPU and current memory.
    public mutating func sample() -> ProcessTreeSample {
        var stats: [Int32: ProcessStat] = [:]
        var children: [Int32: [Int32]] = [:]
        var groupMembers: [Int32] = []
        for pid in ProcFile.processIDs(in: procRoot) {
            guard let bytes = ProcFile.readBytes("\(procRoot)/\(pid)/stat", limit: 4096),
                  let stat = ProcessStat(line: bytes)
            else { continue }
            stats[pid] = stat
            children[stat.parentPID, default: []].append(pid)
            if includeProcessGroup, stat.processGroupID == rootPID { groupMembers.append(pid) }
        }

        let live = liveMembers(stats: stats, children: children, groupMembers: groupMembers)
        creditVanishedMembers(live: live, stats: stats)

        var totalTicks = exitedOrphanTicks
        var residentPages: Int64 = 0
        for pid in live {
            guard let stat = stats[pid] else { continue }
            var member = members[pid] ?? TreeMember(firstSeen: stat)
            member.update(from: stat)
            members[pid] = member
            totalTicks += member.contributionTicks
            if !stat.isZombie { residentPages += stat.residentPages }
        }
        reportedTicks = max(reportedTicks, totalTicks)
        return ProcessTreeSample(
            cpuSeconds: Double(reportedTicks) / ticksPerSecond,
            residentBytes: residentPages * pageSize,
            processCount: live.count,
            rootCPUSeconds: members[rootPID].map { Double($0.contributionTicks) / ticksPerSecond }
        )
    }

    /// The current tree: the root and its descendants by parent pid, plus earlier members
    /// (e.g. orphans now parented by init) that still run, members of the root's process group,
    /// and their descendants.
    private func liveMembers(
        stats: [Int32: ProcessStat], children: [Int32: [Int32]], groupMembers: [Int32]
    ) -> Set<Int32> {
        var queue = groupMembers
        if let root = stats[rootPID], members[rootPID].map({ $0.startTicks == root.startTicks }) ?? true {
            queue.append(rootPID)
        }
        for (pid, member) in members where stats[pid]?.startTicks == member.startTicks {
            queue.append(pid)
        }
        var live = Set<Int32>()
        while let pid = queue.popLast() {
            guard live.insert(pid).inserted else { continue }
            queue.append(contentsOf: children[pid] ?? [])
        }
        return live
    }

    /// Moves the last-seen CPU of members that are gone to their nearest live ancestor, or to
    /// the orphan total when no ancestor in the tree survives, and forgets them.
    private mutating func creditVanishedMembers(live: Set<Int32>, stats: [Int32: ProcessStat]) {
        // A pid whose start time changed was reused by a new process: the old one is gone.
        let vanished = members.filter { pid, member in
            !live.contains(pid) || stats[pid]?.startTicks != member.startTicks
        }.map(\.key)
        for pid in vanished {
            guard let member = members[pid] else { continue }
            var ancestor = member.parentPID
            var steps = 0
            while !live.contains(ancestor), let next = members[ancestor], steps < members.count {
                ancestor = next.parentPID
                steps += 1
            }
            if live.contains(ancestor), !vanished.contains(ancestor), members[ancestor] != nil {
                members[ancestor]?.creditedTicks += member.contributionTicks
            } else {
                exitedOrphanTicks += member.contributionTicks
            }
        }
        for pid in vanished { members[pid] = nil }
    }
}

/// What the sampler remembers about one process of the tree.
private struct TreeMember {
    /// Start time in ticks; with the pid it identifies the process across pid reuse.
    var startTicks: Int64
    /// Parent pid at the last sample.
    var parentPID: Int32
    /// utime + stime at the last sample.
    var ownTicks: Int64 = 0
    /// cutime + cstime at the last sample.
    var reapedTicks: Int64 = 0
    /// cutime + cstime when first seen (children reaped before the sampler saw this process).
    var reapedTicksWhenFirstSeen: Int64
    /// Last-seen CPU of vanished descendants credited to this process.
    var creditedTicks: Int64 = 0

    init(firstSeen stat: ProcessStat) {
        startTicks = stat.startTicks
        parentPID = stat.parentPID
        reapedTicksWhenFirstSeen = stat.reapedTicks
    }

    mutating func update(from stat: ProcessStat) {
        parentPID = stat.parentPID
        ownTicks = stat.ownTicks
        reapedTicks = stat.reapedTicks
    }

    /// Own CPU plus the best lower bound for the CPU of its exited descendants.
    var contributionTicks: Int64 {
        ownTicks + max(reapedTicks, reapedTicksWhenFirstSeen + creditedTicks)
    }
}
