import TasklogCore

/// The input schemas of the tools, exactly as in `schemas/mcp/<Tool>.input.json`.
///
/// They are kept here as text so that the binary needs no file at run time; a test checks that
/// each equals its file. Edit both together.
enum ToolSchemas {
    /// The schema text of `tool`, by name.
    static let text: [String: String] = [
        "TaskCreate": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskCreate input",
          "description": "Create a task: pending, without an owner, with empty blocks and blockedBy.",
          "type": "object",
          "properties": {
            "subject": {
              "type": "string",
              "minLength": 1,
              "description": "A short imperative title, like \"Run the test suite\" (at most 1 KiB)."
            },
            "description": {
              "type": "string",
              "description": "What needs doing and how to tell it is done (at most 64 KiB)."
            },
            "activeForm": {
              "type": "string",
              "description": "The present continuous form shown while the task runs, like \"Running the test suite\"."
            },
            "metadata": {
              "type": "object",
              "description": "Free JSON (at most 64 KiB). The keys workflow (string), step (non-negative integer), milestone (boolean), phase and parallel_group (strings) are type-checked; a task whose _internal is set is hidden from TaskList."
            }
          },
          "required": ["subject", "description"],
          "additionalProperties": false
        }
        """#,
        "TaskUpdate": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskUpdate input",
          "description": "Change a task: claim, complete or delete it, edit its fields, add dependencies, merge metadata.",
          "type": "object",
          "properties": {
            "taskId": {"type": "string", "description": "The task's id, like \"3\"."},
            "subject": {"type": "string", "minLength": 1, "description": "A new subject."},
            "description": {"type": "string", "description": "A new description."},
            "activeForm": {"type": "string", "description": "A new active form."},
            "status": {
              "type": "string",
              "enum": ["pending", "in_progress", "completed", "deleted"],
              "description": "in_progress claims the task (refused while a blocker is open or another owner holds it; without owner, you become the owner); deleted removes it."
            },
            "addBlocks": {
              "type": "array",
              "items": {"type": "string"},
              "description": "Ids of tasks that cannot start before this one completes."
            },
            "addBlockedBy": {
              "type": "array",
              "items": {"type": "string"},
              "description": "Ids of tasks that must complete before this one can start."
            },
            "owner": {"type": "string", "description": "The new owner; an empty string clears it."},
            "metadata": {
              "type": "object",
              "description": "Merged into the metadata one level deep; a key set to null is removed."
            }
          },
          "required": ["taskId"],
          "additionalProperties": false
        }
        """#,
        "TaskGet": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskGet input",
          "description": "Get one task by its id.",
          "type": "object",
          "properties": {
            "taskId": {"type": "string", "description": "The task's id, like \"3\"."}
          },
          "required": ["taskId"],
          "additionalProperties": false
        }
        """#,
        "TaskList": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskList input",
          "description": "List the tasks of the task list; takes no arguments.",
          "type": "object",
          "properties": {},
          "additionalProperties": false
        }
        """#,
        "TaskReady": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskReady input",
          "description": "List the tasks that can be claimed now: pending, without an owner, every blocker completed; takes no arguments.",
          "type": "object",
          "properties": {},
          "additionalProperties": false
        }
        """#,
        "TaskHistory": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskHistory input",
          "description": "The history of one task: the events that touched it, oldest first, with who made each and what changed.",
          "type": "object",
          "properties": {
            "taskId": {"type": "string", "description": "The task's id, like \"3\"; deleted tasks keep their history."},
            "limit": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "description": "Show at most this many of the newest events (default 100)."
            }
          },
          "required": ["taskId"],
          "additionalProperties": false
        }
        """#,
        "TaskStateAt": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "TaskStateAt input",
          "description": "The task list, or one task, as it was at a point of its history.",
          "type": "object",
          "properties": {
            "at": {
              "type": "string",
              "minLength": 1,
              "description": "The point: an event seq like \"1200\", or a UTC time like \"2026-02-13T14:35:00Z\"."
            },
            "taskId": {
              "type": "string",
              "description": "Only this task, like \"3\"."
            }
          },
          "required": [
            "at"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowLedger": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowLedger input",
          "description": "The YAML ledger of a workflow run, rendered from the log, now or at a point.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id, like \"build-task-20260213T1430\"."
            },
            "at": {
              "type": "string",
              "minLength": 1,
              "description": "A point: an event seq or a UTC time (default: now)."
            }
          },
          "required": [
            "workflowId"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowResume": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowResume input",
          "description": "The recovery decision for a workflow run: start afresh or resume, with the steps to skip and to run.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id, like \"build-task-20260213T1430\"."
            }
          },
          "required": [
            "workflowId"
          ],
          "additionalProperties": false
        }
        """#,
    ]
}
