import Testing
import AGJSON
@testable import AGState

@Suite struct HistoryPropertyTests {
    /// For random states and random patches: the version counts successful commits, and state(at:) and
    /// delta(since:) agree with the state recorded at every version.
    @Test(arguments: 1...12)
    func historyAgreesWithRecordedStates(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let initial = JSONValue.object(RandomJSON.value(&rng).objectValue ?? JSONObject())
        let store = try Store(initial)
        var recorded: [JSONValue] = [initial]
        for _ in 0..<60 {
            let patch = RandomJSON.patch(store.state, &rng)
            let before = (store.state, store.version)
            do {
                let v = try store.apply(patch)
                recorded.append(store.state)
                #expect(v == UInt64(recorded.count - 1))
                #expect(try patch.apply(to: before.0) == store.state)
            } catch {
                #expect(store.version == before.1)
                #expect(store.state == before.0)
            }
        }
        #expect(recorded.count > 20, "seed \(seed): too few patches applied to test anything")
        let current = store.state
        for (v, expected) in recorded.enumerated() {
            let version = UInt64(v)
            // The text, not only the value: members come back where they were.
            #expect(JSONSerializer.string(try store.state(at: version)) == JSONSerializer.string(expected), "seed \(seed) version \(v)")
            let delta = try store.delta(since: version)
            #expect(try JSONPatch(delta).apply(to: expected) == current, "seed \(seed) delta since \(v)")
        }
    }

    /// The recorded inverse undoes any patch, and applied + touched describe it.
    @Test(arguments: 100...160)
    func inversesUndoPatches(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        for _ in 0..<20 {
            let doc = RandomJSON.value(&rng)
            let patch = RandomJSON.patch(doc, &rng)
            guard let (patched, recorded) = try? patch.applyRecording(to: doc) else { continue }
            var undone = patched
            try undone.undo(recorded.inverse)
            // Member order included: the text, not only the value, is the original's.
            #expect(JSONSerializer.string(undone) == JSONSerializer.string(doc))
            #expect(try JSONPatch(recorded.applied).apply(to: doc) == patched)
            #expect(recorded.touchedEnds.count == recorded.applied.count)
            #expect(recorded.touchedEnds.last ?? 0 == recorded.touched.count)
            for (i, op) in recorded.applied.enumerated() {
                let wrote = recorded.touched(byOperation: i)
                switch op {
                case .test: #expect(wrote.isEmpty)
                case .move(let from, let path) where from == path: #expect(wrote.isEmpty) // moves nothing
                default: #expect(!wrote.isEmpty)
                }
            }
        }
    }

    /// A patch applied in place that fails at its last operation leaves the document exactly as it was,
    /// member order included, whether or not another copy shares its containers.
    @Test(arguments: 200...240)
    func failedInPlacePatchesLeaveNoTrace(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let failing = PatchOperation.test(path: try JSONPointer(parsing: "/no such member/x"), value: .null)
        for round in 0..<20 {
            let doc = RandomJSON.value(&rng)
            // Under lenient options, a replace of a missing member (an add, then) and a remove of a missing
            // one (nothing) come before the failing operation too.
            let lenientOnes: [PatchOperation] = seed % 2 == 1
                ? [.replace(path: try JSONPointer(parsing: "/zz missing"), value: 7), .remove(path: try JSONPointer(parsing: "/zz gone"))] : []
            let patch = JSONPatch(RandomJSON.patch(doc, &rng).operations + lenientOnes + [failing])
            let original = JSONSerializer.string(doc)
            // Even rounds: a fresh parse, held once. Odd rounds: shared with `doc`.
            var target = round % 2 == 0 ? try JSONParser.parse(original) : doc
            var shared: JSONValue? = Optional<JSONValue>.none
            if round % 2 == 1 { shared = doc }
            // Lenient on odd seeds: a replace of a missing member becomes an add, to be undone as well.
            let options = PatchOptions(lenient: seed % 2 == 1)
            #expect(throws: AGError.self) { try patch.applyRecording(inPlace: &target, options: options) }
            #expect(JSONSerializer.string(target) == original)
            if let kept = shared { #expect(JSONSerializer.string(kept) == original) }
            shared = nil
        }
    }

    @Test func historyIsBoundedByCountAndBytes() throws {
        let store = try Store(["n": 0], history: HistoryLimits(maxVersions: 5))
        for i in 1...20 { try store.set(.int(Int64(i)), at: JSONPointer(parsing: "/n")) }
        #expect(store.historyRange == (15, 20))
        #expect(try store.state(at: 15) == ["n": 15])
        do { _ = try store.state(at: 14); Issue.record("old version answered") } catch {
            #expect(error.code == .notInHistory)
        }
        do { _ = try store.delta(since: 21); Issue.record("future version answered") } catch {
            #expect(error.code == .invalidArgument)
        }
        #expect(try store.delta(since: 20).isEmpty)

        let small = try Store(["s": ""], history: HistoryLimits(maxVersions: 1000, maxBytes: 10_000))
        for i in 0..<50 { try small.set(.string(String(repeating: "x", count: 1000 + i)), at: JSONPointer(parsing: "/s")) }
        let (oldest, newest) = small.historyRange
        #expect(newest == 50 && oldest > 40)
        let none = try Store([:], history: HistoryLimits(maxVersions: 0))
        try none.set(1, at: JSONPointer(parsing: "/a"))
        #expect(none.historyRange == (1, 1))
    }

    @Test func mergeIsRecordedAsEquivalentOperations() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let target = RandomJSON.value(&rng), patch = RandomJSON.value(&rng)
            let ops = MergePatch.operations(patch, against: target)
            let viaOps = try JSONPatch(ops).apply(to: target)
            let direct = MergePatch.apply(patch, to: target)
            #expect(JSONSerializer.serialize(viaOps) == JSONSerializer.serialize(direct))
        }
    }
}
