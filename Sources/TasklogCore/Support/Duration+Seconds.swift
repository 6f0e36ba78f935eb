extension Duration {
    /// The duration in seconds, as a `Double` (for rates and for figures shown to people).
    package var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
