/// Where a workflow run stands.
public enum WorkflowStatus: UInt8, Sendable, Hashable, CaseIterable {
    case inProgress = 0
    case completed = 1
    case failed = 2

    /// `in_progress`, `completed` or `failed`, as the ledger spells it.
    public var name: String {
        switch self {
        case .inProgress: "in_progress"
        case .completed: "completed"
        case .failed: "failed"
        }
    }

    public init?(name: String) {
        guard let status = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = status
    }
}

/// A milestone reached: the receipt the ledger keeps for crash recovery.
public struct Checkpoint: Sendable, Hashable {
    public var step: Int
    public var name: String
    public var completedAt: Timestamp
    public var data: [String: JSONValue]

    public init(step: Int, name: String, completedAt: Timestamp, data: [String: JSONValue] = [:]) {
        self.step = step
        self.name = name
        self.completedAt = completedAt
        self.data = data
    }
}

/// The folded state of one workflow run, as its events made it. The tasks of the run are found
/// by their `metadata.workflow` (see ``WorkflowView``).
public struct WorkflowState: Sendable, Hashable {
    public var id: String
    public var type: String
    public var startedAt: Timestamp
    public var status: WorkflowStatus = .inProgress
    /// In step order; one per step and name (a step checkpointed again keeps the newest).
    public var checkpoints: [Checkpoint] = []
    public var failedStep: Int?
    public var failureReason: String?
    /// When it completed or failed.
    public var endedAt: Timestamp?

    public init(id: String, type: String, startedAt: Timestamp) {
        self.id = id
        self.type = type
        self.startedAt = startedAt
    }

    /// The step the ledger reports: the failed step of a failed run, else the highest checkpoint's
    /// step (0 before the first). It moves only with workflow events, so the ledger written after
    /// each of them stays equal to the log's projection.
    public var ledgerStep: Int {
        if status == .failed, let failedStep { return failedStep }
        return checkpoints.map(\.step).max() ?? 0
    }

    /// The newest checkpoint's time, if any.
    public var lastCheckpointAt: Timestamp? { checkpoints.map(\.completedAt).max() }

    /// The checkpoints in the order they were recorded, as the skill appends them to the ledger
    /// (a step recorded again counts at its newest time). Timestamps never decrease with seq, so
    /// this is their time order; within one time, step order.
    public var checkpointsAsRecorded: [Checkpoint] {
        checkpoints.enumerated()
            .sorted { ($0.element.completedAt, $0.offset) < ($1.element.completedAt, $1.offset) }
            .map(\.element)
    }

    /// The ledger's `last_checkpoint`: when the run completed (the skill's cleanup sets it then),
    /// else the newest checkpoint's time, else the start (the schema holds a time, never null).
    public var ledgerLastCheckpoint: Timestamp {
        if status == .completed, let endedAt { return endedAt }
        return lastCheckpointAt ?? startedAt
    }
}

/// Workflow ids: `{workflow-name}-{yyyyMMddTHHmm}`.
public enum WorkflowID {
    /// The default id of a run of `type` started at `time`, made unique against `taken`.
    public static func make(type: String, at time: Timestamp, taken: (String) -> Bool) -> String {
        let iso = time.iso8601Seconds  // 2026-02-13T14:30:00Z
        let digits = iso.prefix(16).filter { $0 != "-" && $0 != ":" }  // 20260213T1430
        let base = "\(type)-\(digits)"
        if !taken(base) { return base }
        var suffix = 2
        while taken("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }

    /// The workflow type an id names: the id without its `-yyyyMMddTHHmm[-n]` suffix.
    public static func type(of id: String) -> String {
        var parts = id.split(separator: "-", omittingEmptySubsequences: false)
        if let last = parts.last, last.allSatisfy(\.isNumber), parts.count > 2,
            parts[parts.count - 2].count == 13
        {
            parts.removeLast()
        }
        if let last = parts.last, last.count == 13, last.dropFirst(8).first == "T",
            last.filter(\.isNumber).count == 12, parts.count > 1
        {
            parts.removeLast()
        }
        return parts.joined(separator: "-")
    }

    /// Refuses ids that are empty, too long, or hold characters other than letters, digits, `.`, `_` and `-`.
    public static func check(_ id: String) throws(TasklogError) {
        let allowed = id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
        guard !id.isEmpty, id.utf8.count <= 128, allowed else {
            throw TasklogError(
                .invalidInput,
                "workflow id \(id) must be 1 to 128 letters, digits, '.', '_' or '-', like build-task-20260213T1430"
            )
        }
    }
}
