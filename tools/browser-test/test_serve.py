#!/usr/bin/env python3
"""The page of `tasklog serve`, tested in a real headless browser (Debian's chromium, Selenium).

A store with a known workflow run is built through the CLI; `tasklog serve --port 0` serves it;
the page must show the run's dependency graph with the current statuses, show the earlier
statuses when its time slider is moved back (with the keyboard, as a person would), and follow
an event appended while it is open. Screenshots go to the artifacts folder, also on failure.

Usage: test_serve.py --binary PATH --artifacts DIR [--docs-image PATH]
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

WORKFLOW = "build-task-20260101T0900"

# The run: five tasks in three phases, two reviewers in a parallel group.
TASKS = [
    ("Workspace setup", {"step": 1, "phase": "setup"}),
    ("Read the task", {"step": 2, "phase": "setup"}),
    ("Implement the change", {"step": 3, "phase": "build"}),
    ("Review: security", {"step": 4, "phase": "review", "parallel_group": "reviewers"}),
    ("Review: style", {"step": 4, "phase": "review", "parallel_group": "reviewers"}),
]
LINKS = [(2, 1), (3, 2), (4, 3), (5, 3)]  # (blocked, blocker)

# After the earlier point: #3 just claimed. Now: #3 done and #4 claimed.
EARLIER = {"1": "completed", "2": "completed", "3": "in_progress", "4": "pending", "5": "pending"}
NOW = {"1": "completed", "2": "completed", "3": "completed", "4": "in_progress", "5": "pending"}


def find_executable(name, fallbacks):
    for candidate in [shutil.which(name)] + fallbacks:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit(f"browser-test: {name} not found; install Debian's chromium and chromium-driver")


class Store:
    """A store in a temporary folder, driven through the real binary."""

    def __init__(self, binary, folder):
        self.binary = binary
        self.folder = folder
        self.path = os.path.join(folder, "store")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKLOG_", "CLAUDE_CODE_"))}
        self.env["TASKLOG_ACTOR"] = "orchestrator"

    def run(self, *arguments, actor=None):
        command = [self.binary, *arguments, "--store", self.path]
        if actor:
            command += ["--actor", actor]
        result = subprocess.run(command, cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    def last_seq(self):
        return json.loads(self.run("stats", "--json"))["events"]

    def build(self):
        self.run("workflow", "start", "build-task", "--id", WORKFLOW)
        for subject, metadata in TASKS:
            self.run("create", subject, "--metadata", json.dumps({"workflow": WORKFLOW, **metadata}))
        for blocked, blocker in LINKS:
            self.run("update", str(blocked), "--add-blocked-by", str(blocker))
        for task in ("1", "2"):
            self.run("update", task, "--status", "in_progress", actor="agent-a")
            self.run("update", task, "--status", "completed", actor="agent-a")
        self.run("update", "3", "--status", "in_progress", actor="agent-b")
        earlier = self.last_seq()
        self.run("update", "3", "--status", "completed", actor="agent-b")
        self.run("update", "4", "--status", "in_progress", actor="reviewer-1")
        return earlier


class Server:
    """`tasklog serve --port 0`; the URL is the first line it prints."""

    def __init__(self, store):
        self.process = subprocess.Popen(
            [store.binary, "serve", "--store", store.path, "--port", "0"],
            cwd=store.folder, env=store.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline().strip()
        if not line.startswith("Serving ") or " at http://127.0.0.1:" not in line:
            self.stop()
            raise AssertionError(f"unexpected first line from tasklog serve: {line!r}; stderr: {self.process.stderr.read()}")
        self.url = line.rsplit(" at ", 1)[1]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = find_executable("chromium", ["/usr/bin/chromium"])
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1440,1200", "--force-device-scale-factor=1", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=find_executable("chromedriver", ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]))
    return webdriver.Chrome(options=options, service=service)


def wait_rendered(driver, seq, timeout=20):
    """Until the page has drawn the state at `seq` and nothing newer is loading."""
    def drawn(driver):
        body = driver.find_element(By.TAG_NAME, "body")
        if body.get_attribute("data-state") == "error":
            raise AssertionError("the page shows an error: " + driver.find_element(By.ID, "error").text)
        return body.get_attribute("data-state") == "ready" and body.get_attribute("data-rendered-at") == str(seq)
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.1).until(drawn)
    except TimeoutException:
        body = driver.find_element(By.TAG_NAME, "body")
        raise AssertionError(f"the page did not draw seq {seq}: state {body.get_attribute('data-state')}, "
                             f"drawn {body.get_attribute('data-rendered-at')}")


def graph_statuses(driver):
    nodes = driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.node")
    return {node.get_attribute("data-task-id"): node.get_attribute("data-status") for node in nodes}


def table_statuses(driver):
    rows = driver.find_elements(By.CSS_SELECTOR, "#tasks-body tr[data-task-id]")
    return {row.get_attribute("data-task-id"): row.get_attribute("data-status") for row in rows}


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok:", message)


def run(binary, artifacts, docs_image):
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tasklog-browser-") as folder:
        store = Store(binary, folder)
        earlier = store.build()
        last = store.last_seq()
        server = Server(store)
        driver = None
        try:
            driver = browser()
            driver.get(server.url)
            wait_rendered(driver, last)

            # Choose the run in the workflow menu, as a person would.
            Select(driver.find_element(By.ID, "workflow-select")).select_by_value(WORKFLOW)
            WebDriverWait(driver, 20).until(lambda d: d.find_element(By.ID, "graph").get_attribute("data-workflow") == WORKFLOW)
            wait_rendered(driver, last)

            check(graph_statuses(driver) == NOW, f"the graph shows the run's tasks with their current statuses: {graph_statuses(driver)}")
            edges = {(e.get_attribute("data-from"), e.get_attribute("data-to"))
                     for e in driver.find_elements(By.CSS_SELECTOR, "#graph-svg path.edge")}
            check(edges == {(str(b), str(a)) for a, b in LINKS}, f"the graph has one arrow per dependency, blocker to blocked: {sorted(edges)}")
            depths = {n.get_attribute("data-task-id"): n.get_attribute("data-depth")
                      for n in driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.node")}
            check(depths == {"1": "0", "2": "1", "3": "2", "4": "3", "5": "3"}, f"columns follow dependency depth: {depths}")
            subject = driver.find_element(By.CSS_SELECTOR, '#graph-svg g.node[data-task-id="3"] .node-title').text
            check("Implement" in subject, f"nodes carry their subjects: {subject!r}")
            lanes = [l.get_attribute("data-phase") for l in driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.lane")]
            check(lanes == ["setup", "build", "review"], f"the graph is banded by phase: {lanes}")
            groups = [g.get_attribute("data-group") for g in driver.find_elements(By.CSS_SELECTOR, "#graph-svg g.parallel-group")]
            check(groups == ["reviewers"], f"the parallel group is boxed: {groups}")
            card = driver.find_element(By.CSS_SELECTOR, f'#workflows article[data-workflow-id="{WORKFLOW}"]')
            check(card.get_attribute("data-status") == "in_progress", "the workflow card shows the run in progress")
            step1 = card.find_element(By.CSS_SELECTOR, 'li.step[data-step="1"]').get_attribute("data-status")
            check(step1 == "completed", f"step 1 (a milestone) is shown completed: {step1}")
            spans = driver.find_elements(By.CSS_SELECTOR, '#timeline-svg rect.span[data-task-id="3"]')
            check([s.get_attribute("data-status") for s in spans] == ["pending", "in_progress", "completed"],
                  "the timeline shows task #3 pending, then in progress, then completed")
            check(table_statuses(driver) == NOW, "the task table agrees")
            driver.save_screenshot(str(artifacts / "serve.png"))
            if docs_image:
                docs_image.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(artifacts / "serve.png", docs_image)

            # Move the slider back with the keyboard: Home, then right arrows up to the earlier seq.
            slider = driver.find_element(By.ID, "time-slider")
            minimum = int(slider.get_attribute("min"))
            check(int(slider.get_attribute("max")) == last and slider.get_attribute("value") == str(last),
                  f"the slider spans the log and starts at now (seq {last})")
            slider.send_keys(Keys.HOME)
            for _ in range(earlier - minimum):
                slider.send_keys(Keys.ARROW_RIGHT)
            check(slider.get_attribute("value") == str(earlier), f"the slider is at seq {earlier}")
            wait_rendered(driver, earlier)
            check(graph_statuses(driver) == EARLIER, f"at seq {earlier} the graph shows the earlier statuses: {graph_statuses(driver)}")
            check(table_statuses(driver) == EARLIER, "and so does the task table")
            check(len(driver.find_elements(By.ID, "timeline-cursor")) == 1, "the timeline marks the point in time")
            check(f"seq {earlier} of {last}" in driver.find_element(By.ID, "time-label").text, "the label names the point")
            driver.save_screenshot(str(artifacts / "serve-earlier.png"))
            Select(driver.find_element(By.ID, "timeline-scale")).select_by_value("time")
            spans = driver.find_elements(By.CSS_SELECTOR, '#timeline-svg rect.span[data-task-id="3"]')
            check([s.get_attribute("data-status") for s in spans] == ["pending", "in_progress", "completed"],
                  "the timeline redraws on a time scale, cursor kept")
            check(len(driver.find_elements(By.ID, "timeline-cursor")) == 1, "with the cursor at the point")

            # Back to now, then an event appended by another process shows up by itself.
            driver.find_element(By.ID, "now-button").click()
            wait_rendered(driver, last)
            check(graph_statuses(driver) == NOW, "Now brings back the current statuses")
            WebDriverWait(driver, 20).until(
                lambda d: d.find_element(By.ID, "live-status").get_attribute("data-live") == "true")
            store.run("update", "5", "--status", "in_progress", actor="reviewer-2")
            wait_rendered(driver, last + 1)
            check(graph_statuses(driver)["5"] == "in_progress", "an appended event redraws the live page")
            driver.save_screenshot(str(artifacts / "serve-live.png"))

            errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
            check(not errors, f"no errors in the browser console: {errors}")
        except BaseException:
            if driver is not None:
                driver.save_screenshot(str(artifacts / "failure.png"))
                print("screenshot of the failure:", artifacts / "failure.png", file=sys.stderr)
                for entry in driver.get_log("browser"):
                    print("console:", entry, file=sys.stderr)
            raise
        finally:
            if driver is not None:
                driver.quit()
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--artifacts", required=True, type=pathlib.Path)
    parser.add_argument("--docs-image", type=pathlib.Path)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    try:
        run(binary, arguments.artifacts, arguments.docs_image)
    except AssertionError as failure:
        print("FAIL:", failure, file=sys.stderr)
        sys.exit(1)
    print("browser test passed; screenshots in", arguments.artifacts)


if __name__ == "__main__":
    main()
