/// How much a finding matters. Ordered: a "failing level" means that severity and above.
public enum Severity: Int, Comparable, Sendable, CaseIterable {
    case off = 0, info = 1, warning = 2, error = 3

    public var name: String {
        switch self {
        case .off: return "off"
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    public init?(name: String) {
        switch name {
        case "off": self = .off
        case "info": self = .info
        case "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// Which sequence rules apply.
public enum Profile: String, CaseIterable, Sendable {
    /// Exactly what the official TypeScript client's event verifier checks (it expands chunk events
    /// first, as the client does), reported instead of thrown.
    case client
    /// `client` plus the conformance rules the client lacks. The deprecated THINKING_* events are an error.
    case strict
    /// `strict`, but the deprecated THINKING_* events are accepted (reported as information).
    case compat

    /// The profile named `name`, in any letter case ("Strict" is strict).
    public init?(name: String) {
        var lower = ""
        for u in name.utf8 {
            lower.unicodeScalars.append(Unicode.Scalar(u >= 0x41 && u <= 0x5A ? u + 0x20 : u))
        }
        self.init(rawValue: lower)
    }
}
