import AGCore

/// The hybrid storage's URL: `hybrid:PRIMARY|FALLBACK`, split at the first `|`. PRIMARY is a
/// `postgres://` or `postgresql://` URL (a literal `|` is not allowed in a URL: percent-encode it as
/// `%7C`); FALLBACK is a `sqlite:PATH` or `file:PATH` URL (its path may hold `|`).
enum HybridURL {
    static let scheme = "hybrid:"

    static func split(_ url: String) throws(AGError) -> (primary: String, fallback: String) {
        guard url.hasPrefix(scheme) else { throw AGError(.invalidArgument, "a hybrid storage URL starts with \"hybrid:\"") }
        let rest = url.dropFirst(scheme.count)
        guard let bar = rest.firstIndex(of: "|") else {
            throw AGError(.invalidArgument, "a hybrid storage URL is hybrid:PRIMARY|FALLBACK (postgres://...|sqlite:PATH); \"|\" is missing")
        }
        let primary = String(rest[..<bar])
        let fallback = String(rest[rest.index(after: bar)...])
        guard primary.hasPrefix("postgres://") || primary.hasPrefix("postgresql://") else {
            throw AGError(.invalidArgument, "the primary of a hybrid storage is a postgres:// or postgresql:// URL, not \"\(primary)\"")
        }
        guard fallback.hasPrefix("sqlite:") || fallback.hasPrefix("file:") else {
            throw AGError(.invalidArgument, "the fallback of a hybrid storage is a sqlite:PATH or file:PATH URL, not \"\(fallback)\"")
        }
        return (primary, fallback)
    }
}
