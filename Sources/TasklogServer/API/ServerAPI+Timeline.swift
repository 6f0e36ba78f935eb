import Tasklog
public import TasklogCore

extension ServerAPI {
    /// `/api/lists/{list}/timeline?at=&workflow=`: per task, the spans it spent pending,
    /// in progress and completed, each from the event that began it to the one that ended it
    /// (open at the end when it still lasts), read from the task index of the history.
    ///
    /// Deleted tasks are included, their last span closed by the deletion (`deletedAt`). With
    /// `workflow`, only the tasks that last belonged to that run; with `at`, the history up to it.
    public func timeline(list: String, at: String?, workflow: String?) throws -> JSONValue {
        let list = try listID(list)
        let workflow = workflow.flatMap { $0.isEmpty ? nil : $0 }
        if let workflow, WorkflowView(id: workflow, in: try store.list(list)) == nil {
            throw APIError.notFound("workflow \(workflow) not found in list \(list)")
        }
        let point = try Self.point(at)
        let state = try listState(list, at: at)
        let highWater = state.list(list).highWater
        var rows: [JSONValue] = []
        for id in stride(from: 1, through: highWater, by: 1) {
            let row = try taskTimeline(list: list, id: id, until: point)
            guard !row.spans.isEmpty, workflow == nil || row.workflow == workflow else { continue }
            rows.append(row.json)
        }
        return [
            "list": .string(list), "workflow": workflow.map(JSONValue.string) ?? .null, "at": Self.position(state),
            "tasks": .array(rows),
        ]
    }

    /// One task's row of the timeline.
    struct TimelineRow {
        struct Span {
            var status: String
            var fromSeq: UInt64
            var fromTime: Timestamp
            var toSeq: UInt64?
            var toTime: Timestamp?
        }

        var id: Int
        var subject = ""
        var status = "pending"
        var owner: String?
        var workflow: String?
        var phase: String?
        var group: String?
        var deletedSeq: UInt64?
        var spans: [Span] = []

        var json: JSONValue {
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            return [
                "id": .string(String(id)), "subject": .string(subject), "status": .string(status), "owner": text(owner),
                "workflow": text(workflow), "phase": text(phase), "group": text(group),
                "deletedAt": deletedSeq.map { .int(Int64($0)) } ?? .null,
                "spans": .array(
                    spans.map { span in
                        [
                            "status": .string(span.status),
                            "fromSeq": .int(Int64(span.fromSeq)), "fromTime": .string(span.fromTime.iso8601),
                            "toSeq": span.toSeq.map { .int(Int64($0)) } ?? .null,
                            "toTime": span.toTime.map { .string($0.iso8601) } ?? .null,
                        ]
                    }
                ),
            ]
        }
    }

    /// Folds task `id`'s changes, from its own index, into spans by status.
    func taskTimeline(list: String, id: Int, until point: Point?) throws -> TimelineRow {
        var row = TimelineRow(id: id)
        var cursor: UInt64?
        repeat {
            let page = try store.history(
                HistoryQuery(list: list, taskID: id, until: point, limit: 1000, cursor: cursor)
            )
            for entry in page.entries {
                let event = entry.event
                for change in entry.changes where change.taskID == id {
                    for field in change.fields {
                        switch field.field {
                        case "subject": row.subject = field.after?.stringValue ?? row.subject
                        case "owner": row.owner = field.after?.stringValue
                        case "metadata.workflow": row.workflow = field.after?.stringValue
                        case "metadata.phase": row.phase = field.after?.stringValue
                        case "metadata.parallel_group": row.group = field.after?.stringValue
                        case "status":
                            guard let status = field.after?.stringValue else { continue }
                            if let last = row.spans.indices.last, row.spans[last].toSeq == nil {
                                row.spans[last].toSeq = event.seq
                                row.spans[last].toTime = event.timestamp
                            }
                            row.status = status
                            if status == "deleted" {
                                row.deletedSeq = event.seq
                            } else {
                                row.spans.append(.init(status: status, fromSeq: event.seq, fromTime: event.timestamp))
                            }
                        default: break
                        }
                    }
                }
            }
            cursor = page.nextCursor
        } while cursor != nil
        return row
    }
}
