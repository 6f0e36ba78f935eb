#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `tasklog serve` may listen, and whom it answers.
///
/// The page and the API show every task of the store to whoever can reach them, so the server
/// listens on a loopback address unless told explicitly (`--allow-remote`) that it may listen
/// on another. A loopback server also answers only requests whose `Host` names a loopback
/// address, so that a web page elsewhere cannot read it through a DNS name rebound to 127.0.0.1.
public enum HostPolicy {
    /// Whether `host` is a loopback address: `localhost`, 127.0.0.0/8 or `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            return bytes == Array(repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// The one-line reason to refuse listening on `host`, or `nil` when it is allowed.
    public static func refusal(host: String, allowRemote: Bool) -> String? {
        if host.isEmpty { return "--host is empty; give an address such as 127.0.0.1" }
        if allowRemote || isLoopback(host) { return nil }
        return "refusing to listen on \(host), which is not a loopback address: the page shows every task "
            + "to anyone who can reach it; use --host 127.0.0.1, or pass --allow-remote to listen there anyway"
    }

    /// The host part of a `Host` header (`127.0.0.1:8080`, `[::1]:8080`, `localhost`).
    static func hostname(ofAuthority authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }
}
