import AGJSON
import DequeModule

/// The state and the activities a stream builds, as a client holding them would.
struct StateTracker {
    /// The agent state: the starting state given, else `{}`, until a STATE_SNAPSHOT (or
    /// RUN_STARTED.input.state) sets it.
    var state: JSONValue = .object(JSONObject())
    /// Whether `state` rests on a known base (the starting state given, a STATE_SNAPSHOT or
    /// RUN_STARTED.input.state) rather than on `{}` standing in for a state the client held.
    var baseKnown = false
    /// STATE_DELTAs that met an unknown base since the last known one, and those of them that could
    /// not be applied even leniently (their change is missing from `state`).
    var deltasWithoutBase = 0
    var deltasNotApplied = 0
    /// STATE_DELTAs applied in the current run since its last STATE_SNAPSHOT: a snapshot discards them.
    var deltasSinceSnapshot = 0
    /// ACTIVITY_SNAPSHOT contents by message id (compared by bytes, like every id), with their activity
    /// type; the oldest are forgotten beyond `maxActivities`.
    private(set) var activities = IDTable<(type: String, content: JSONValue)>()
    private var activityOrder: Deque<String> = []
    let maxActivities: Int

    init(maxActivities: Int, initialState: JSONValue?) {
        self.maxActivities = max(1, maxActivities)
        if let initialState { setBase(initialState) }
    }

    /// A known state replaces whatever the deltas built.
    mutating func setBase(_ value: JSONValue) {
        state = value
        baseKnown = true
        deltasWithoutBase = 0
        deltasNotApplied = 0
    }

    mutating func setActivity(_ id: String, type: String, content: JSONValue) {
        let isNew = activities[id] == nil
        activities[id] = (type, content)
        if isNew {
            activityOrder.append(id)
            if activityOrder.count > maxActivities { activities.removeValue(forKey: activityOrder.removeFirst()) }
        }
    }

    var activitiesJSON: JSONValue {
        var o = JSONObject()
        for id in activityOrder {
            guard let a = activities[id] else { continue }
            var entry = JSONObject()
            entry["activityType"] = .string(a.type)
            entry["content"] = a.content
            o[id] = .object(entry)
        }
        return .object(o)
    }
}

extension EventValidator {
    func stateSnapshot() {
        guard let snapshot = parseMember(.snapshot) else { return }
        if tracker.deltasSinceSnapshot > 0 && sequence.runActive {
            report(.stateSnapshotDiscardsDeltas,
                   "STATE_SNAPSHOT in the middle of a run replaces the state built by the \(tracker.deltasSinceSnapshot) STATE_DELTA(s) since the last snapshot: send deltas only, or a snapshot only when the state was rebuilt",
                   pointer: "/snapshot")
        }
        tracker.deltasSinceSnapshot = 0
        tracker.setBase(snapshot)
    }

    /// Parses a patch member; a malformed patch is reported with the failing operation's pointer.
    private func parsePatch(_ field: EventField) -> JSONPatch? {
        if let patch = reader.parsedPatch(field) { return patch }
        guard let value = parseMember(field) else { return nil }
        do {
            return try JSONPatch(parsing: value)
        } catch {
            let at = error.operationIndex.map { "/\(field.key)/\($0)" } ?? "/\(field.key)"
            report(.patchInvalid, "\"\(field.key)\" is not a valid JSON Patch (RFC 6902): \(error.message)", pointer: at)
            return nil
        }
    }

    func stateDelta() {
        guard let patch = parsePatch(.delta) else { return }
        if !tracker.baseKnown {
            stateDeltaWithoutBase(patch)
            return
        }
        // The state is taken out of the tracker while the patch applies, so that its containers are
        // uniquely referenced and a one-operation patch changes them in place.
        var working = tracker.state
        tracker.state = .null
        defer { tracker.state = working }
        do {
            try patch.apply(inPlace: &working, limits: JSONLimits(maxDepth: options.maxDepth))
            tracker.deltasSinceSnapshot += 1
        } catch {
            // The client drops a delta that does not apply; strict reports it. The state is unchanged.
            let at = error.operationIndex.map { "/delta/\($0)" } ?? "/delta"
            report(.stateDeltaFailed, "STATE_DELTA does not apply to the tracked state: \(error.message)", pointer: at)
        }
    }

    /// A delta before any known state: it was computed against the state the client already held (its
    /// request's `state`), which the stream never showed. It applies to what the deltas built so far
    /// (`{}` at first) as written when it can, else with the named leniency for such deltas (a replace of
    /// a missing member adds it, a remove of one does nothing); what still fails is counted, not lost
    /// silently. At most information: the stream is not at fault for a state it was not asked to repeat.
    private func stateDeltaWithoutBase(_ patch: JSONPatch) {
        tracker.deltasWithoutBase += 1
        let limits = JSONLimits(maxDepth: options.maxDepth)
        var working = tracker.state
        tracker.state = .null
        defer { tracker.state = working }
        do {
            try patch.apply(inPlace: &working, limits: limits)
            tracker.deltasSinceSnapshot += 1
            if !sequence.deltaBeforeSnapshotReported {
                sequence.deltaBeforeSnapshotReported = true
                report(.stateDeltaBeforeSnapshot, "STATE_DELTA before any STATE_SNAPSHOT: it applies to the state the client already holds (give the starting state to check it)", pointer: "/delta")
            }
        } catch {
            do {
                _ = try patch.applyRecording(inPlace: &working, limits: limits, options: PatchOptions(lenient: true))
                tracker.deltasSinceSnapshot += 1
            } catch {
                tracker.deltasNotApplied += 1
            }
            sequence.deltaBeforeSnapshotReported = true
            let at = error.operationIndex.map { "/delta/\($0)" } ?? "/delta"
            report(.stateDeltaBeforeSnapshot, "STATE_DELTA before any STATE_SNAPSHOT does not apply to the state built without it (\(error.message)): it needs the state the client held (give the starting state to check it)", pointer: at)
        }
    }

    func messagesSnapshot() {
        guard let messages = parseMember(.messages), checkMessages(messages, at: "/messages"), let list = messages.arrayValue else { return }
        for i in 0..<list.count {
            guard let m = list[i].objectValue else { continue }
            if let id = m["id"]?.stringValue { sequence.knownMessageIDs.insert(id) }
            if let calls = m["toolCalls"]?.arrayValue {
                for k in 0..<calls.count {
                    if let id = calls[k].objectValue?["id"]?.stringValue { sequence.endedToolCalls.insert(id) }
                }
            }
        }
        messageLog?.replace(with: list)
    }

    func activitySnapshot() {
        let id = reader.string(.messageId)!
        let type = reader.string(.activityType)!
        guard let content = parseMember(.content) else { return }
        // replace: false asks to keep content already there.
        if reader.kind(.replace) == .bool && reader.bytes(reader.slot(.replace)!).first == UInt8(ascii: "f"),
           tracker.activities[id] != nil {
            return
        }
        tracker.setActivity(id, type: type, content: content)
        messageLog?.setActivity(id: id, type: type, content: content)
    }

    func activityDelta() {
        let id = reader.string(.messageId)!
        let type = reader.string(.activityType)!
        guard let patch = parsePatch(.patch) else { return }
        guard let current = tracker.activities[id] else {
            report(.activityDeltaFailed, "ACTIVITY_DELTA for \"\(id)\", which has no ACTIVITY_SNAPSHOT", pointer: "/messageId")
            return
        }
        do {
            let content = try patch.apply(to: current.content, limits: JSONLimits(maxDepth: options.maxDepth))
            tracker.setActivity(id, type: type, content: content)
            messageLog?.setActivity(id: id, type: type, content: content)
        } catch {
            let at = error.operationIndex.map { "/patch/\($0)" } ?? "/patch"
            report(.activityDeltaFailed, "ACTIVITY_DELTA does not apply to the activity's content: \(error.message)", pointer: at)
        }
    }
}
