/// Which snapshots to keep: all of the newest few, then fewer the older they are.
///
/// With snapshots written every `interval` events, the newest `dense` are all kept. An older one,
/// `age` intervals behind the newest, is kept only if it is the newest in its slot of
/// `interval × 2^level` events, where `level = ⌊log2(age / dense)⌋ + 1`. So about `dense` snapshots
/// are kept per doubling of age: O(dense × log(events / interval)) in all, and time travel to a
/// point `age` intervals back replays at most about `interval × age / dense` events after its snapshot.
public enum SnapshotRetention {
    /// The seqs of `snapshots` (newest first) to remove.
    public static func drop(_ snapshots: [UInt64], interval: UInt64, dense: Int) -> [UInt64] {
        guard let newest = snapshots.first, interval > 0 else { return [] }
        let dense = max(1, dense)
        var seen: Set<[UInt64]> = []
        var dropped: [UInt64] = []
        for (index, seq) in snapshots.enumerated() where index >= dense {
            let age = (newest - seq) / interval
            let ratio = max(1, age / UInt64(dense))
            let level = UInt64(63 - ratio.leadingZeroBitCount) + 1
            // Saturated: an interval near 2^64 (TASKLOG_SNAPSHOT_INTERVAL) must not shift to 0.
            let (product, overflow) = interval.multipliedReportingOverflow(by: 1 << min(level, 40))
            let width = overflow ? .max : product
            if !seen.insert([level, seq / width]).inserted { dropped.append(seq) }
        }
        return dropped
    }

    /// The snapshots left, oldest first, after one is written every `interval` events of a log
    /// of `events` events that starts empty, each write followed by ``drop(_:interval:dense:)``.
    public static func survivors(ofSnapshotsEvery interval: UInt64, through events: UInt64, dense: Int) -> [UInt64] {
        guard interval > 0 else { return [] }
        var newestFirst: [UInt64] = []
        var seq = interval
        while seq <= events {
            newestFirst.insert(seq, at: 0)
            let dropped = Set(drop(newestFirst, interval: interval, dense: dense))
            newestFirst.removeAll { dropped.contains($0) }
            let (next, overflow) = seq.addingReportingOverflow(interval)
            if overflow { break }
            seq = next
        }
        return newestFirst.reversed()
    }
}
