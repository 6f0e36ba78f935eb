/// The page of `tasklog serve`, embedded in the binary: one HTML file, one script, one style
/// sheet, all our own (no CDN, no framework), so that the binary alone serves the whole page.
///
/// The script draws the dependency graph and the timeline as SVG from the JSON API; it puts
/// text from the store in the page only through `textContent` and attributes, never as HTML.
/// Stable ids and `data-*` attributes (`data-task-id`, `data-status`, `data-rendered-at`) are
/// part of the page's contract with its browser test (`tools/browser-test`).
enum Assets {}
