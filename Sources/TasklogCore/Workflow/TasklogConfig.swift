import Yams

/// Configuration (`.tasklog.yml`): task tracking, the ledger, cleanup, milestones, snapshots.
///
/// ```yaml
/// task_tracking:
///   enabled: true
///   ledger: true
///   ledger_path: .agents/workflow-ledger.yml
///   auto_cleanup: true
///   one_task_per_agent: false
///   snapshot_interval: 10000
///   milestones:
///     build-task: [1, 4, 5, 7, 9]
///     my-flow: {steps: [1, 3], every_task: false, every_group_member: false, on_complete: true, total_steps: 5}
/// ```
public struct TasklogConfig: Sendable, Hashable {
    /// With tracking disabled, every task command succeeds as a no-op. Tasklog's own commands
    /// track unless told not to (calling them is consent); a ``TrackingClient``, which plays the
    /// skill's part, tracks only where ``trackingConfigured`` says so, as the skill's
    /// `config_read("task_tracking.enabled", "false")` does.
    public var trackingEnabled = true
    /// Whether the file or `TASKLOG_TRACKING_ENABLED` set ``trackingEnabled``.
    public var trackingConfigured = false
    /// Write the YAML ledger after every checkpoint.
    public var ledgerEnabled = false
    /// Where, relative to the project folder unless absolute.
    public var ledgerPath = ".agents/workflow-ledger.yml"
    /// Completing a workflow completes its remaining tasks.
    public var autoCleanup = true
    /// A claim by an agent that already holds a task in progress is refused ("agent busy").
    public var oneTaskPerAgent = false
    /// Events between snapshots; `nil` leaves the store's default (10,000).
    public var snapshotInterval: UInt64?
    public var milestones = MilestonePolicy.standard

    public init() {}

    /// Reads a configuration file's text; errors name the file, the line and the key.
    public static func parse(_ text: String, file: String) throws(TasklogError) -> TasklogConfig {
        var config = TasklogConfig()
        let document = try YAMLDocument(text, file: file)
        guard let root = document.root else { return config }
        for (key, _, value) in try document.mapping(root, "the document") {
            guard key == "task_tracking" else {
                throw document.error(value, key, "is not a known key; the settings live under task_tracking")
            }
            for (name, _, node) in try document.mapping(value, "task_tracking") {
                let path = "task_tracking.\(name)"
                switch name {
                case "enabled":
                    config.trackingEnabled = try document.bool(node, path)
                    config.trackingConfigured = true
                case "ledger": config.ledgerEnabled = try document.bool(node, path)
                case "ledger_path": config.ledgerPath = try document.string(node, path)
                case "auto_cleanup": config.autoCleanup = try document.bool(node, path)
                case "one_task_per_agent": config.oneTaskPerAgent = try document.bool(node, path)
                case "snapshot_interval":
                    let interval = try document.int(node, path)
                    guard interval > 0 else { throw document.error(node, path, "must be at least 1") }
                    config.snapshotInterval = UInt64(interval)
                case "milestones":
                    for (type, _, rule) in try document.mapping(node, path) {
                        let base = config.milestones.rules[type] ?? MilestonePolicy.Rule()
                        config.milestones.rules[type] = try milestoneRule(rule, "\(path).\(type)", base, document)
                    }
                default:
                    throw document.error(
                        node,
                        path,
                        "is not a known key; use enabled, ledger, ledger_path, auto_cleanup, one_task_per_agent, snapshot_interval or milestones"
                    )
                }
            }
        }
        return config
    }

    /// The rule a configuration entry gives, on top of `base` (the rule it overrides): what the
    /// entry does not say, such as build-task's step count and step names, stays.
    private static func milestoneRule(
        _ node: Node,
        _ path: String,
        _ base: MilestonePolicy.Rule,
        _ document: YAMLDocument
    ) throws(TasklogError)
        -> MilestonePolicy.Rule
    {
        var rule = base
        if case .sequence = node {
            rule.steps = Set(try document.steps(node, path))
            return rule
        }
        for (name, _, value) in try document.mapping(node, path) {
            switch name {
            case "steps": rule.steps = Set(try document.steps(value, "\(path).steps"))
            case "every_task": rule.everyTask = try document.bool(value, "\(path).every_task")
            case "every_group_member": rule.everyGroupMember = try document.bool(value, "\(path).every_group_member")
            case "on_complete": rule.onComplete = try document.bool(value, "\(path).on_complete")
            case "total_steps": rule.totalSteps = try document.int(value, "\(path).total_steps")
            default:
                throw document.error(
                    value,
                    "\(path).\(name)",
                    "is not a known key; use steps, every_task, every_group_member, on_complete or total_steps"
                )
            }
        }
        return rule
    }
}
