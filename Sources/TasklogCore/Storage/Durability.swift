/// How durable a commit is, on backends that can trade durability for speed.
public enum Durability: String, Sendable, CaseIterable {
    /// Nothing acknowledged is ever lost, even by a system crash (the default).
    case full
    /// A system crash may lose the last commit (LMDB: no fsync of the meta page).
    case lastCommitAtRiskOnSystemCrash
    /// A system crash may lose recent commits; the store stays intact (LMDB: no fsync at all).
    case recentCommitsAtRiskOnSystemCrash
}
