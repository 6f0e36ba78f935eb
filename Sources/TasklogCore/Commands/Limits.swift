/// Bounds on inputs, in UTF-8 bytes; larger inputs are refused, never truncated.
public enum Limits {
    public static let subject = 1024
    public static let description = 64 * 1024
    public static let activeForm = 1024
    public static let owner = 256
    public static let actor = 256
    /// The metadata object as compact JSON.
    public static let metadata = 64 * 1024
    public static let listID = 128
    public static let idempotencyKey = 256
    /// Ids named in one `addBlocks` or `addBlockedBy`.
    public static let dependencies = 1024
    /// The highest workflow step (steps count from 1).
    public static let step = 1_000_000
}
