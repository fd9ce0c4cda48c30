import AGJSON

/// An `EventValidator` that many threads may use: calls are serialised by a lock, and the rule that a
/// finished stream takes no more events is kept here, so that every front end (the C ABI, the command line)
/// gets the same behaviour.
public final class SharedValidator: @unchecked Sendable {
    private let lock = Lock()
    private let validator: EventValidator

    public init(profile: Profile, options: ValidatorOptions) {
        validator = EventValidator(profile: profile, options: options)
    }

    /// Opens a validator for the profile named `name` ("" for the client profile).
    public convenience init(profileNamed name: String, options: ValidatorOptions) throws(AGError) {
        self.init(profile: try Profile(named: name), options: options)
    }

    public func setSeverity(_ severity: Severity, for rule: Rule) {
        lock.withLock { validator.setSeverity(severity, for: rule) }
    }

    /// Sets the severity of the rule with id `rule` at level `level` (0 off to 3 error).
    public func setSeverity(level: Int, forRuleNamed rule: String) throws(AGError) {
        guard let id = Rule(rawValue: rule) else { throw AGError(.invalidArgument, "unknown rule \"\(rule)\"") }
        guard let severity = Severity(rawValue: level) else { throw AGError(.invalidArgument, "unknown severity \(level)") }
        setSeverity(severity, for: id)
    }

    public func feed(event bytes: UnsafeRawBufferPointer) throws(AGError) -> [Finding] {
        try lock.withLock { () throws(AGError) -> [Finding] in
            try checkOpen()
            return validator.feed(event: bytes)
        }
    }

    public func feed(stream bytes: UnsafeRawBufferPointer, format: EventValidator.StreamFormat) throws(AGError) -> [Finding] {
        try lock.withLock { () throws(AGError) -> [Finding] in
            try checkOpen()
            return validator.feed(stream: bytes, format: format)
        }
    }

    public func finish() -> [Finding] { lock.withLock { validator.finish() } }

    public var findings: [Finding] { lock.withLock { validator.findings } }
    public var state: JSONValue { lock.withLock { validator.state } }
    public var activities: JSONValue { lock.withLock { validator.activities } }

    /// The rebuilt messages; `invalidArgument` when the validator does not rebuild them.
    public func messages() throws(AGError) -> JSONValue {
        guard let messages = lock.withLock({ validator.messages }) else {
            throw AGError(.invalidArgument, "messages are rebuilt only by a validator opened with AGS_VALIDATE_MESSAGES")
        }
        return messages
    }

    /// Events seen and findings by severity.
    public var counts: (events: Int, errors: Int, warnings: Int, infos: Int) {
        lock.withLock {
            (validator.eventCount, validator.counts[.error] ?? 0, validator.counts[.warning] ?? 0, validator.counts[.info] ?? 0)
        }
    }

    private func checkOpen() throws(AGError) {
        guard !validator.finished else { throw AGError(.invalidArgument, "the validator has finished its stream") }
    }
}

extension Profile {
    /// The profile named `name`; "" is the client profile.
    public init(named name: String) throws(AGError) {
        guard let profile = Profile(rawValue: name.isEmpty ? "client" : name) else {
            throw AGError(.invalidArgument, "unknown profile \"\(name)\" (client, strict or compat)")
        }
        self = profile
    }
}
