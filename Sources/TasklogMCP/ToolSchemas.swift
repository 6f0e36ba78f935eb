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
              "description": "Free JSON (at most 64 KiB). The keys workflow (string), step (integer from 1), milestone (boolean), phase and parallel_group (strings) are type-checked; a task whose _internal is set is hidden from TaskList."
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
            },
            "expectedVersion": {
              "type": "integer",
              "minimum": 1,
              "description": "Refuse the update unless the task is still at this version (from TaskGet). Naming it takes over a task another agent holds in progress."
            },
            "exclusive": {
              "type": "boolean",
              "description": "With status in_progress: refuse the claim if the new owner already holds another task in progress."
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
          "description": "List the tasks of the task list; every argument is an optional filter on the workflow layer's metadata keys, as the skill's TaskList() plus filter.",
          "type": "object",
          "properties": {
            "workflow": {
              "type": "string",
              "minLength": 1,
              "description": "Only the tasks whose metadata.workflow is this run id."
            },
            "step": {
              "type": "integer",
              "minimum": 1,
              "description": "Only the tasks whose metadata.step is this."
            },
            "phase": {
              "type": "string",
              "minLength": 1,
              "description": "Only the tasks whose metadata.phase is this."
            },
            "parallel_group": {
              "type": "string",
              "minLength": 1,
              "description": "Only the tasks whose metadata.parallel_group is this."
            }
          },
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
        "WorkflowStart": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowStart input",
          "description": "Start a workflow run; its id is {type}-{yyyyMMddTHHmm} unless given. Tag its tasks with metadata.workflow = the id.",
          "type": "object",
          "properties": {
            "type": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128,
              "description": "The workflow type, like \"build-task\", \"blueprint\", \"run-blueprint\" or \"quality-gate\"."
            },
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128,
              "description": "The id to give the run (letters, digits, '.', '_', '-')."
            }
          },
          "required": [
            "type"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowCheckpoint": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowCheckpoint input",
          "description": "Record a milestone of a run by hand (completing a milestone step's tasks records it by itself).",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id, like \"build-task-20260213T1430\"."
            },
            "step": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000,
              "description": "The step number; steps count from 1."
            },
            "name": {
              "type": "string",
              "minLength": 1,
              "description": "The step's name, like \"Workspace setup\"."
            },
            "data": {
              "type": "object",
              "description": "JSON kept with the checkpoint (at most 64 KiB)."
            }
          },
          "required": [
            "workflowId",
            "step",
            "name"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowFail": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowFail input",
          "description": "Mark a run failed at a step; WorkflowResume then resumes from that step.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id."
            },
            "step": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000000,
              "description": "The step that failed."
            },
            "reason": {
              "type": "string",
              "description": "Why, in a sentence."
            }
          },
          "required": [
            "workflowId",
            "step"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowComplete": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowComplete input",
          "description": "Complete a run that succeeded; with auto_cleanup (the default) its remaining tasks are completed too. A failed run is refused unless force is true.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id."
            },
            "force": {
              "type": "boolean",
              "description": "Complete a failed run anyway, as if it had succeeded."
            }
          },
          "required": [
            "workflowId"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowShow": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowShow input",
          "description": "A run's status, steps, phases, checkpoints and parallel groups with their aggregation (FAILED: every member not completed; results of the completed members once FAILED is empty), now or at a point.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The workflow id."
            },
            "at": {
              "type": "string",
              "minLength": 1,
              "description": "A point: an event seq like \"1200\" or a UTC time like \"2026-02-13T14:35:00Z\"."
            }
          },
          "required": [
            "workflowId"
          ],
          "additionalProperties": false
        }
        """#,
        "WorkflowFork": #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "title": "WorkflowFork input",
          "description": "Start a new run as a copy of a run as it was at a point: its tasks under new ids (work in progress back to pending), their links, completions and the run's checkpoints.",
          "type": "object",
          "properties": {
            "workflowId": {
              "type": "string",
              "minLength": 1,
              "description": "The run to fork."
            },
            "at": {
              "type": "string",
              "minLength": 1,
              "description": "A point: an event seq like \"1200\" or a UTC time like \"2026-02-13T14:35:00Z\"."
            },
            "newWorkflowId": {
              "type": "string",
              "minLength": 1,
              "maxLength": 128,
              "description": "The id to give the new run; {type}-{yyyyMMddTHHmm} by default."
            }
          },
          "required": [
            "workflowId",
            "at"
          ],
          "additionalProperties": false
        }
        """#,
    ]
}
