import Foundation
import Synchronization
import TasklogCore
import TasklogPostgres
import TasklogTestSupport
import Testing

@testable import Tasklog

/// What only a PostgreSQL store has: its URL, the errors of a network database, and faults of
/// the server and the connection (the engine's own matrix runs on PostgreSQL too, see ``TestBackend``).
@Suite("PostgreSQL backend") struct PostgresBackendTests {
    // MARK: The URL

    @Test func aStoreURLTakesItsDefaultsFromTheEnvironmentAsPsqlDoes() throws {
        let url = try PostgresStoreURL(
            "postgres://db.internal/work",
            environment: ["PGUSER": "agent", "PGPASSWORD": "secret"]
        )
        #expect(url.host == "db.internal")
        #expect(url.port == 5432)
        #expect(url.user == "agent")
        #expect(url.password == "secret")
        #expect(url.database == "work")
        #expect(url.schema == "tasklog")
        #expect(url.tls == .disable)

        let full = try PostgresStoreURL(
            "postgresql://bot:p%40ss@10.0.0.5:6543/tasks?schema=team_a&sslmode=require",
            environment: [:]
        )
        #expect(full.user == "bot")
        #expect(full.password == "p@ss")
        #expect(full.port == 6543)
        #expect(full.schema == "team_a")
        #expect(full.tls == .require)
        // Messages never show the password.
        #expect(full.description == "postgres://bot@10.0.0.5:6543/tasks?schema=team_a&sslmode=require")

        let socket = try PostgresStoreURL("postgres://bot@/tasks?host=/var/run/postgresql", environment: [:])
        #expect(socket.socketDirectory == "/var/run/postgresql")
        #expect(socket.database == "tasks")
    }

    @Test func aURLThatCannotNameAStoreIsRefusedSayingWhy() throws {
        func refusal(_ url: String) -> String {
            do {
                _ = try PostgresStoreURL(url, environment: [:])
                return "accepted"
            } catch {
                #expect(error.code == .invalidInput)
                return error.message
            }
        }
        #expect(refusal("postgres://u:hunter2@h/db?schema=Team-A").contains("not a plain PostgreSQL name"))
        #expect(refusal("postgres://u:hunter2@h/db?schema=Team-A").contains("hunter2") == false)
        #expect(refusal("postgres://u:hunter2@h/db?sslmode=maybe").contains("disable, prefer or require"))
        let unknown = refusal("postgres://u:hunter2@h/db?shcema=x")
        #expect(unknown.contains("unknown parameter shcema"))
        #expect(!unknown.contains("hunter2"))
        #expect(PostgresStoreURL.isURL("postgres://h/db"))
        #expect(PostgresStoreURL.isURL("POSTGRESQL://h/db"))
        #expect(!PostgresStoreURL.isURL(".tasklog"))
    }

    // MARK: Errors of a network database

    /// Each of these is one line that says which server, what failed, and what to check.
    @Test(.timeLimit(.minutes(1)))
    func theFailuresOfAServerAreClearErrors() async throws {
        try await offThePool {
            let server = try TestPostgres.serverURL()
            func openError(_ url: String, create: Bool = true) -> TasklogError? {
                var options = TaskStore.Options.testing()
                options.createIfMissing = create
                do {
                    _ = try TaskStore.open(at: url, options: options)
                    return nil
                } catch let error as TasklogError {
                    return error
                } catch {
                    Issue.record("not a TasklogError: \(error)")
                    return nil
                }
            }
            let port = try #require(URLComponents(string: server)?.port)

            // Nothing listens on the port: which host, and what to check.
            let closedPort = try Self.unusedPort()
            let unreachable = try #require(openError("postgres://postgres:x@127.0.0.1:\(closedPort)/tasklog"))
            #expect(unreachable.code == .storage)
            #expect(unreachable.message.contains("cannot reach PostgreSQL at 127.0.0.1:\(closedPort)"))
            #expect(unreachable.message.contains("check that the server runs"))
            #expect(unreachable.underlying != nil)

            let wrongPassword = try #require(openError("postgres://postgres:wrong@127.0.0.1:\(port)/tasklog"))
            #expect(wrongPassword.message.contains("refused user postgres"))
            #expect(!wrongPassword.message.contains("wrong"))

            let noDatabase = try #require(openError("postgres://postgres:tasklog-test@127.0.0.1:\(port)/nowhere"))
            #expect(noDatabase.message.contains("has no database nowhere"))

            // A schema that holds other tables is not taken over.
            let foreign = TestPostgres.schemaName("foreign-\(UUID())")
            try TestPostgres.psql("CREATE SCHEMA \(foreign); CREATE TABLE \(foreign).invoices (id int)")
            let notAStore = try #require(openError(server + "?schema=\(foreign)"))
            #expect(notAStore.code == .invalidInput)
            #expect(notAStore.message.contains("is not a Tasklog store"))
            #expect(try TestPostgres.psql("SELECT count(*) FROM pg_tables WHERE schemaname = '\(foreign)'") == "1")

            // A store written by a newer Tasklog is refused, not misread.
            let newer = try TestPostgres.freshStoreURL()
            _ = try TaskStore.open(at: newer, options: .testing()).create(NewTask(subject: "x"))
            let schema = try #require(newer.split(separator: "=").last)
            try TestPostgres.psql("UPDATE \(schema).tasklog_schema SET version = 99")
            let tooNew = try #require(openError(newer))
            #expect(tooNew.message.contains("written by a newer Tasklog (schema version 99"))

            // A store of schema version 1 (before snapshot bodies were stored apart) is migrated
            // as it is opened, and its old snapshot (format 3, bodies inside) still serves.
            let older = try TestPostgres.freshStoreURL()
            do {
                let store = try TaskStore.open(at: older, options: .testing())
                for index in 1...3 { _ = try store.create(NewTask(subject: "task \(index)")) }
                let state = try store.state()
                let bytes = SnapshotCodec.encode(state)
                try store.backend.write { txn in try bytes.withUnsafeBytes { try txn.putSnapshot(state.lastSeq, $0) } }
            }
            let olderSchema = try #require(older.split(separator: "=").last)
            try TestPostgres.psql(
                "DROP TABLE \(olderSchema).snapshot_bodies; UPDATE \(olderSchema).tasklog_schema SET version = 1"
            )
            let migrated = try TaskStore.open(at: older, options: .testing())
            #expect(try TestPostgres.psql("SELECT version FROM \(olderSchema).tasklog_schema") == "2")
            #expect(migrated.recovery?.snapshotSeq == 3)
            _ = try migrated.create(NewTask(subject: "task 4"))
            #expect(try migrated.snapshot() == 4)
            #expect(try TestPostgres.psql("SELECT count(*) FROM \(olderSchema).snapshot_bodies") == "1")
            #expect(try migrated.verify().isHealthy)
            #expect(try migrated.tasks().count == 4)

            // Reading commands do not create a store.
            let missing = try #require(openError(try TestPostgres.freshStoreURL(), create: false))
            #expect(missing.code == .notFound)
        }
    }

    /// Names that SQL finds awkward are stored as on any backend: a schema named by a reserved
    /// word, and an actor with a NUL in it (PostgreSQL's `text` refuses NUL).
    @Test(.timeLimit(.minutes(1)))
    func oddNamesAreStoredAsOnAnyBackend() async throws {
        try await offThePool {
            let server = try TestPostgres.serverURL()
            let schema = "user"
            _ = try? TestPostgres.psql("DROP SCHEMA IF EXISTS \"user\" CASCADE")
            defer { _ = try? TestPostgres.psql("DROP SCHEMA IF EXISTS \"user\" CASCADE") }
            let store = try TaskStore.open(at: server + "?schema=\(schema)", options: .testing())
            let actor = "agent\u{0}one"
            let task = try store.create(
                NewTask(subject: "Odd", metadata: ["workflow": .string("run-1")]),
                actor: actor
            )
            _ = try store.update(task.id, TaskChanges(subject: "Odd, renamed"), actor: actor)
            var byActor = HistoryQuery()
            byActor.actor = actor
            #expect(try store.history(byActor).entries.count == 2)
            var byWorkflow = HistoryQuery()
            byWorkflow.list = "default"
            byWorkflow.workflow = "run-1"
            #expect(try store.history(byWorkflow).entries.count == 2)
            let reopened = try TaskStore.open(at: server + "?schema=\(schema)", options: .testing())
            #expect(try reopened.state() == (try store.state()))
            #expect(try reopened.verify().isHealthy)
        }
    }

    /// A port on loopback that nothing listens on (bound, read, released).
    static func unusedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw TestPostgresError(message: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: Moving a store between backends

    /// `tasklog copy` moves a whole store from an LMDB directory to PostgreSQL and back: the
    /// three logs export the same, each verifies, and a copy into a store that holds events is
    /// refused with nothing written.
    @Test(.timeLimit(.minutes(2)))
    func copyMovesAStoreFromLMDBToPostgresAndBack() async throws {
        try await offThePool {
            try TestFolder.with("copy") { folder in
                func tasklog(_ arguments: [String]) throws -> CLI.Result {
                    let result = try CLI.run(arguments, in: folder)
                    #expect(result.status == 0, "\(arguments): \(result)")
                    return result
                }
                let directory = folder.storePath
                _ = try tasklog(["create", "Plan", "--store", directory])
                _ = try tasklog(["create", "Build", "--store", directory, "--metadata", #"{"workflow": "w1"}"#])
                _ = try tasklog(["update", "2", "--add-blocked-by", "1", "--store", directory])
                _ = try tasklog(["update", "1", "--status", "in_progress", "--owner", "agent-1", "--store", directory])
                _ = try tasklog(["update", "1", "--status", "completed", "--actor", "agent-1", "--store", directory])

                let url = try TestPostgres.freshStoreURL()
                let there = try tasklog(["copy", "--from", directory, "--to", url, "--json"])
                #expect(try there.object()["copied"] as? Int == 5)
                let back = folder.file("back")
                _ = try tasklog(["copy", "--from", url, "--to", back])

                let original = try tasklog(["export", "--store", directory]).stdout
                #expect(try tasklog(["export", "--store", url]).stdout == original)
                #expect(try tasklog(["export", "--store", back]).stdout == original)
                for store in [directory, url, back] { _ = try tasklog(["verify", "--store", store]) }
                #expect(try tasklog(["ready", "--store", url, "--json"]).array().map { $0["id"] as? String } == ["2"])

                // The destination must be empty: nothing is written into a store that has a log.
                let refused = try CLI.run(["copy", "--from", directory, "--to", url], in: folder)
                #expect(refused.status == 67, "\(refused)")
                #expect(refused.stderr.contains("import only into an empty store"))
                #expect(try tasklog(["export", "--store", url]).stdout == original)
            }
        }
    }

    /// The driver ignores SIGPIPE for its sockets; `tasklog export | head` on a PostgreSQL store
    /// still ends quietly by SIGPIPE, as on LMDB, not with an error or a crash.
    @Test(.timeLimit(.minutes(1)))
    func exportOfAPostgresStoreToAReaderThatWentAwayEndsBySIGPIPE() async throws {
        try await offThePool {
            try TestFolder.with("postgres-pipe") { folder in
                let url = try folder.postgresURL
                let store = try TaskStore.open(at: url, options: .testing())
                for number in 1...50 { _ = try store.create(NewTask(subject: "Task \(number)")) }
                let export = try CLI.exportToAClosedPipe(store: url, in: folder)
                #expect(export.reason == .uncaughtSignal && export.status == SIGPIPE)
                #expect(export.errors == "")
            }
        }
    }

    // MARK: Least privilege

    /// An agent's role needs only to use the tables of a store that exists: USAGE on its schema
    /// and SELECT, INSERT, UPDATE, DELETE on its tables are enough to open it, write to it,
    /// snapshot and verify it. A store it would have to create is refused, saying what to grant.
    @Test(.timeLimit(.minutes(1)))
    func aRoleThatMayOnlyUseTheTablesWorksOnAStoreThatExists() async throws {
        try await offThePool {
            try TestFolder.with("postgres-least-privilege") { folder in
                let url = try folder.postgresURL
                let owner = try TaskStore.open(at: url, options: .testing())
                _ = try owner.create(NewTask(subject: "Made by the owner"))
                owner.close()
                let schema = try #require(url.split(separator: "schema=").last.map(String.init))
                let role = "agent_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
                try TestPostgres.psql(
                    """
                    CREATE ROLE \(role) LOGIN PASSWORD 'agent-pass';
                    GRANT USAGE ON SCHEMA \(schema) TO \(role);
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \(schema) TO \(role);
                    """
                )
                defer { _ = try? TestPostgres.psql("DROP OWNED BY \(role); DROP ROLE \(role);") }
                // The same server and schema, as the agent's role.
                let address = try #require(url.split(separator: "@", maxSplits: 1).last)
                let agentURL = "postgres://\(role):agent-pass@\(address)"
                let agent = try TaskStore.open(at: agentURL, options: .testing())
                _ = try agent.create(NewTask(subject: "Made by an agent"))
                _ = try agent.update(1, TaskChanges(status: .inProgress), actor: "agent")
                #expect(try agent.tasks().map(\.subject) == ["Made by the owner", "Made by an agent"])
                _ = try agent.snapshot()
                #expect(try agent.verify().isHealthy)
                agent.close()

                let elsewhere = agentURL.replacingOccurrences(of: "schema=\(schema)", with: "schema=\(schema)_new")
                let error = #expect(throws: TasklogError.self) {
                    try TaskStore.open(at: elsewhere, options: .testing())
                }
                #expect(error?.code == .storage)
                #expect(error?.message.contains("GRANT CREATE ON DATABASE") == true, "\(String(describing: error))")
            }
        }
    }

    // MARK: Faults of the connection and the server

    /// Connections dropped by the server (`pg_terminate_backend`) while a writer commits, again
    /// and again: every acknowledged command is in the log exactly once and the chain verifies.
    @Test(.timeLimit(.minutes(2)))
    func droppedConnectionsDuringCommitsLoseNothingAndApplyNothingTwice() async throws {
        try await offThePool {
            let url = try TestPostgres.freshStoreURL()
            let schema = try #require(url.split(separator: "=").last)
            let store = try TaskStore.open(at: url, options: .testing())
            let done = Atomic(false)
            let killer = DetachedThread {
                var kills = 0
                while !done.load(ordering: .relaxed) {
                    kills +=
                        Int(
                            (try? TestPostgres.psql(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'tasklog \(schema)'"
                            )) ?? "0"
                        ) ?? 0
                    Thread.sleep(forTimeInterval: 0.02)
                }
                return kills
            }
            var acknowledged: [Int] = []
            var failures = 0
            for number in 1...150 {
                do {
                    let task = try store.create(NewTask(subject: "Task \(number)"))
                    acknowledged.append(number)
                    #expect(task.subject == "Task \(number)")
                } catch {
                    failures += 1
                }
            }
            done.store(true, ordering: .relaxed)
            let kills = try killer.join()
            let reopened = try TaskStore.open(at: url, options: .testing())
            let subjects = try reopened.tasks().map(\.subject)
            for number in acknowledged {
                #expect(subjects.filter { $0 == "Task \(number)" }.count == 1, "Task \(number) is there once")
            }
            #expect(Set(subjects).count == subjects.count, "no command applied twice")
            #expect(try reopened.verify().isHealthy)
            #expect(try reopened.state() == (try reopened.fullReplay()))
            print(
                "dropped connections: \(kills) connections killed, \(acknowledged.count) acknowledged, \(failures) failed"
            )
            #expect(kills > 0, "the test dropped no connection")
            #expect(acknowledged.count > 100, "most commands go through a dropped connection: \(failures) failed")
        }
    }

    /// A write's connection cut at its COMMIT, by a proxy between the store and the server:
    /// `before`, the COMMIT never reaches the server (which rolls back); `after`, the server
    /// commits but its answer never comes back. Either way the outcome is unknown to the client,
    /// which looks for its event on a new connection: the command is acknowledged once and in
    /// the log once.
    @Test(.timeLimit(.minutes(1)), arguments: ["before", "after"])
    func aCommitCutOffIsLookedUpAndAppliedOnce(cut mode: String) async throws {
        try await offThePool {
            try TestFolder.with("in-doubt-\(mode)") { folder in
                var server = try #require(URLComponents(string: try TestPostgres.serverURL()))
                let output = folder.file("proxy.out")
                let armed = folder.file("armed")
                _ = FileManager.default.createFile(atPath: output, contents: nil)
                let proxy = Process()
                proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                    .appendingPathComponent("Support/commit_cutter.py").path
                proxy.arguments = ["python3", script, String(try #require(server.port)), mode, armed]
                proxy.standardOutput = FileHandle(forWritingAtPath: output)
                let stdin = Pipe()
                proxy.standardInput = stdin
                try proxy.run()
                defer { try? stdin.fileHandleForWriting.close() }  // the proxy ends
                func said() -> [String] {
                    ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(
                        String.init
                    )
                }
                let deadline = Date(timeIntervalSinceNow: 10)
                while said().isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
                let port: Int = try #require(Int(said().first ?? ""), "the proxy did not start")
                server.port = port
                let schema = TestPostgres.schemaName(folder.path)
                let store = try TaskStore.open(
                    at: try #require(server.string) + "?schema=\(schema)",
                    options: .testing()
                )
                _ = try store.create(NewTask(subject: "Before the cut"))

                _ = FileManager.default.createFile(atPath: armed, contents: nil)
                let task = try store.create(NewTask(subject: "Through the cut"))
                #expect(said().contains("cut"), "the proxy cut no commit")
                #expect(task.id == 2)

                let direct = try TaskStore.open(at: try folder.postgresURL, options: .testing())
                #expect(try direct.tasks().map(\.subject) == ["Before the cut", "Through the cut"])
                #expect(try direct.verify().isHealthy)
            }
        }
    }

    /// The server crashes and restarts (`pg_ctl restart -m immediate`) while a writer appends:
    /// the writer reconnects and goes on, and every acknowledged event is there afterwards.
    @Test(.timeLimit(.minutes(3)))
    func aServerRestartMidStreamLosesNothingAcknowledged() async throws {
        try await offThePool {
            try TestFolder.with("postgres-restart") { folder in
                let cluster = try TestPostgres.Cluster.start(in: folder.file("cluster"))
                defer { cluster.stop() }
                let url = cluster.url + "?schema=restart"
                let store = try TaskStore.open(at: url, options: .testing())
                let done = Atomic(false)
                let count = Atomic(0)
                let writer = DetachedThread {
                    var acknowledged: [Int] = []
                    var failures: [String] = []
                    var number = 0
                    while !done.load(ordering: .relaxed) {
                        number += 1
                        do {
                            _ = try store.create(NewTask(subject: "Task \(number)"))
                            acknowledged.append(number)
                            count.add(1, ordering: .relaxed)
                        } catch {
                            failures.append(String(reflecting: error))
                        }
                    }
                    return (acknowledged, failures)
                }
                Thread.sleep(forTimeInterval: 0.5)
                try cluster.restartImmediately()
                Thread.sleep(forTimeInterval: 0.5)
                try cluster.restartImmediately()
                // Some appends after the second restart, however slowly a loaded machine restarts.
                let after = count.load(ordering: .relaxed)
                let deadline = ContinuousClock.now + .seconds(60)
                repeat {
                    Thread.sleep(forTimeInterval: 0.1)
                } while count.load(ordering: .relaxed) < max(after + 5, 11) && ContinuousClock.now < deadline
                done.store(true, ordering: .relaxed)
                let (acknowledged, failures) = try writer.join()
                #expect(failures.isEmpty, "a restart within the reconnect window fails nothing: \(failures.prefix(3))")
                let reopened = try TaskStore.open(at: url, options: .testing())
                let subjects = Set(try reopened.tasks().map(\.subject))
                for number in acknowledged { #expect(subjects.contains("Task \(number)"), "Task \(number) was lost") }
                #expect(try reopened.tasks().count == subjects.count, "no command applied twice")
                #expect(try reopened.verify().isHealthy)
                #expect(acknowledged.count > 10)
            }
        }
    }
}
