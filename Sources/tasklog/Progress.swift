import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on stderr for long work: `import`, `replay`, `verify`, `export`.
///
/// Drawn only when stderr is a terminal and the output is for people (no `--json`); through a
/// pipe or into a file nothing extra is written. It appears only once the work has taken a
/// quarter of a second, redraws at most ten times a second, and is erased when the work ends, so
/// what the command prints afterwards starts on a clean line.
final class Progress: Sendable {
    private struct State {
        var drawn = false
        var lastDraw: ContinuousClock.Instant
        /// Thousandths done at the last look, so that most calls return without reading the clock.
        var lastPermille = -1
    }

    private let label: String
    /// Whether the units are bytes, shown in megabytes.
    private let bytes: Bool
    private let started: ContinuousClock.Instant
    private let state: Mutex<State>

    private init(label: String, bytes: Bool) {
        self.label = label
        self.bytes = bytes
        started = .now
        state = Mutex(State(lastDraw: started))
    }

    /// A bar labelled `label`, or `nil` when none should be drawn: with `--json`, when stderr is
    /// not a terminal, or, for a command `streaming` its output as it works, when stdout is the
    /// terminal too (the bar would cut through the output). Counts of `bytes` show in megabytes.
    static func bar(_ label: String, json: Bool, streaming: Bool = false, bytes: Bool = false) -> Progress? {
        guard !json, isatty(STDERR_FILENO) == 1, !streaming || isatty(STDOUT_FILENO) == 0 else { return nil }
        return Progress(label: label, bytes: bytes)
    }

    /// The callback the library takes: `done` of `total` units.
    var report: @Sendable (Int, Int) -> Void {
        { [self] done, total in update(done, of: total) }
    }

    /// Redraws the bar if enough has changed and enough time has passed.
    func update(_ done: Int, of total: Int) {
        guard total > 0 else { return }
        let done = min(max(done, 0), total)
        let permille = done * 1000 / total
        let line: String? = state.withLock { state in
            guard permille != state.lastPermille else { return nil }
            state.lastPermille = permille
            let now = ContinuousClock.now
            guard now - started >= .milliseconds(250), now - state.lastDraw >= .milliseconds(100) || done == total
            else { return nil }
            state.lastDraw = now
            state.drawn = true
            return render(done, of: total)
        }
        if let line { write("\r\u{1B}[2K" + line) }
    }

    /// Erases the bar, if it was drawn.
    func finish() {
        let drawn = state.withLock { state in
            defer { state.drawn = false }
            return state.drawn
        }
        if drawn { write("\r\u{1B}[2K") }
    }

    /// `verify [##########--------------]  42% 4200/10000`, or `… 42% 9.4/22.5 MB`
    private func render(_ done: Int, of total: Int) -> String {
        let width = 24
        let filled = done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = String(done * 100 / total)
        let count = bytes ? "\(megabytes(done))/\(megabytes(total)) MB" : "\(done)/\(total)"
        return "\(label) [\(bar)] \(String(repeating: " ", count: 3 - percent.count))\(percent)% \(count)"
    }

    /// `12.3`: bytes in megabytes, to a tenth.
    private func megabytes(_ bytes: Int) -> String {
        let tenths = bytes / 100_000
        return "\(tenths / 10).\(tenths % 10)"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
