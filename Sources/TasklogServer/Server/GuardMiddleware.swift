import HTTPTypes
import Hummingbird
import TasklogCore

/// Every response gets headers that keep the page to itself (its own scripts and styles only,
/// no framing, no referrer); a loopback server refuses requests whose `Host` is not a loopback
/// name (DNS rebinding), and only GET and HEAD are answered: the server is read-only.
struct GuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowRemote: Bool

    /// The page's own script, styles and API only; no inline script, no framing.
    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'"
    }

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response: Response
        if request.method != .get && request.method != .head {
            response = TasklogServer.json(
                APIError(
                    status: 405,
                    code: "method_not_allowed",
                    message: "the server is read-only; only GET is answered"
                )
            )
        } else if !allowRemote, let authority = request.head.authority,
            !HostPolicy.isLoopback(HostPolicy.hostname(ofAuthority: authority))
        {
            response = TasklogServer.json(
                APIError(
                    status: 403,
                    code: "forbidden",
                    message: "this server answers only requests for a loopback host, not \(authority); "
                        + "open it as 127.0.0.1 or localhost"
                )
            )
        } else {
            response = try await next(request, context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
