/// The page of `tasklog serve`, embedded in the binary: one HTML file, one script, one style
/// sheet, all our own (no CDN, no framework), so that the binary alone serves the whole page.
/// They are real files beside this one (`index.html`, `app.js`, `app.css`), which SwiftPM embeds
/// (`.embedInCode`), so that editors, linters and the browser test see them as what they are.
///
/// The script draws the dependency graph and the timeline as SVG from the JSON API; it puts
/// text from the store in the page only through `textContent` and attributes, never as HTML.
/// Stable ids and `data-*` attributes (`data-task-id`, `data-status`, `data-rendered-at`) are
/// part of the page's contract with its browser test (`tools/browser-test`).
enum Assets {
    /// The page, served at `/`.
    static let indexHTML = PackageResources.index_html
    /// The script, served at `/app.js`: fetches the API, draws, follows `/api/events`.
    static let appJS = PackageResources.app_js
    /// The style sheet, served at `/app.css`.
    static let appCSS = PackageResources.app_css
}
