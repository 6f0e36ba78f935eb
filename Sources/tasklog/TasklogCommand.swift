import ArgumentParser

@main
struct TasklogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasklog",
        abstract: "An event-sourced task store for coding agents, on LMDB.",
        discussion: """
            Every change is an event appended to a durable log; tasks are folded from it.
            Start with `tasklog demo`. Exit codes: 0 ok, 64 usage, 65 invalid input, 66 not found,
            67 conflict, 68 blocked, 69 cycle, 74 storage failure, 76 damaged store.
            """,
        version: "0.1.0",
        subcommands: [
            Create.self, Update.self, Get.self, ListTasks.self, Ready.self, Release.self,
            Workflow.self, LedgerCommand.self, Resume.self,
            History.self, Diff.self, Replay.self, Follow.self,
            Snapshot.self, Verify.self, Reindex.self, Stats.self, Export.self, Import.self, Demo.self, AppendLoop.self, RunSteps.self, ClaimLoop.self,
        ]
    )
}
