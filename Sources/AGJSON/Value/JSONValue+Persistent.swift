/// Turning a document read once (`ParseOptions.persistentContainers` off) into the form a store keeps.
///
/// A document read once keeps every object up to four billion members in the indexed form (a hash table
/// and an array of values) and every array as a Swift array: many changes applied in place to it cost a
/// hash lookup and an array write each, where the large form of a store walks a hash trie and a
/// persistent vector. A store's later writes and snapshots need the large form for wide containers, so
/// the document moves to it afterwards, in one walk: the same forms a parse with persistent containers
/// gives for the same members (a small or indexed object, or array, stays as it is up to the thresholds).
extension JSONValue {
    /// Moves every object wider than `JSONObject.largeThreshold` and every array longer than
    /// `JSONArray.largeThreshold` to its large form, in place: containers this value alone holds are not
    /// copied. Equality, member order and heights are unchanged.
    public mutating func makePersistent() {
        switch containerKind {
        case .object: withObject { $0.makePersistent() }
        case .array: withArray { $0.makePersistent() }
        case nil: return
        }
    }
}

extension JSONObject {
    mutating func makePersistent() {
        if largeBox != nil {
            // Already large (past what an indexed object holds, or grown by a change): its members may still
            // be in the forms of a document read once.
            guard height > 1 else { return }
            var keys: [String] = []
            var values: [JSONValue] = []
            keys.reserveCapacity(count)
            values.reserveCapacity(count)
            forEachMember { key, value in
                keys.append(key)
                values.append(value)
            }
            self = JSONObject()  // the members are now held once, by the lists
            JSONObject.makePersistent(&values)
            self = JSONObject(distinctKeys: keys, values: values, persistent: true)
            return
        }
        if height > 1 {
            // Take the values out so that they are uniquely held while they change.
            var list = values
            values = []
            JSONObject.makePersistent(&list)
            values = list
        }
        if values.count > JSONObject.largeThreshold {
            // Small or indexed (the threshold may be below the small limit: the tests run with 0).
            names = .large(LargeBox(LargeMembers(keys: keys, values: values)))
            values = []
        }
    }

    /// Moves each of `values` to the large form where it needs to be.
    fileprivate static func makePersistent(_ values: inout [JSONValue]) {
        // Through the buffer, testing the kind without binding a payload: nothing retained for the scalars.
        values.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices where buffer[i].containerKind != nil {
                buffer[i].makePersistent()
            }
        }
    }
}

extension JSONArray {
    mutating func makePersistent() {
        if largeBox != nil {
            guard height > 1 else { return }
            var list = allElements
            self = JSONArray()  // the elements are now held once, by the list
            JSONObject.makePersistent(&list)
            self = JSONArray(list, persistent: true)
            return
        }
        if height > 1 {
            var list = elements
            elements = []
            JSONObject.makePersistent(&list)
            elements = list
        }
        if elements.count > JSONArray.largeThreshold {
            let list = elements
            elements = []
            self = JSONArray(list, persistent: true)
        }
    }
}
