extension Timestamp {
    /// This time plus `seconds` (rounded to the microsecond), saturated at the ends of the
    /// timestamp's range: a lease of 1e300 seconds never runs out rather than trapping; NaN adds nothing.
    public func adding(seconds: Double) -> Timestamp {
        let micros = (seconds * 1_000_000).rounded()
        guard !micros.isNaN else { return self }
        guard let delta = Int64(exactly: micros) else {
            return Timestamp(rawValue: micros < 0 ? .min : .max)
        }
        let (sum, overflow) = rawValue.addingReportingOverflow(delta)
        return Timestamp(rawValue: overflow ? (delta < 0 ? .min : .max) : sum)
    }
}
