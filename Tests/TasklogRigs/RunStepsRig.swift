import ArgumentParser
import TasklogWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The skill's build-task workflow run step by step, printing `step N done` after each: for the
/// end-to-end test, which kills it mid-way and resumes.
struct RunStepsRig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-steps",
        abstract: "Run steps of a build-task workflow, printing each one done."
    )

    @OptionGroup var options: RigOptions

    @Option(help: "The workflow id.")
    var workflow: String

    @Option(help: "The first step to run.")
    var from: Int = 1

    @Option(help: "The last step to run.")
    var through: Int = 9

    @Option(help: "Pause after each step, in milliseconds.")
    var delayMs: Int = 0

    @Option(help: "The reviewer of the quality step (7) whose review fails.")
    var failingReviewer: String = "security"

    func validate() throws {
        guard BuildTaskRun.names[from] != nil, BuildTaskRun.names[through] != nil, from <= through else {
            throw ValidationError("--from and --through must be steps 1 to 9, --from first; not \(from) and \(through)")
        }
        guard (0...60_000).contains(delayMs) else {
            throw ValidationError("--delay-ms must be 0 to 60000, not \(delayMs)")
        }
    }

    func run() throws {
        try reportingErrors {
            try BuildTaskRun.run(
                try options.open(),
                workflow: workflow,
                steps: from...through,
                list: options.list,
                actor: options.actor,
                failingReviewer: failingReviewer
            ) { step in
                say("step \(step) done\n")
                if delayMs > 0 { usleep(UInt32(delayMs) * 1000) }
            }
        }
    }
}
