/// RFC 7386 JSON Merge Patch.
public enum MergePatch {
    /// Applies `patch` to `target`: an object patch merges member by member (`null` removes a member),
    /// anything else replaces the target. The result never nests deeper than the deeper of the two inputs.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let targetObject) = target { result = targetObject } else { result = JSONObject() }
        for (key, value) in patchObject.entries {
            if case .null = value {
                result.removeValue(forKey: key)
            } else if case .object = value {
                let merged = MergePatch.apply(value, to: result[key] ?? .null)
                result[key] = merged
            } else {
                result[key] = value
            }
        }
        return .object(result)
    }
}

extension MergePatch {
    /// The RFC 6902 operations that do what applying `patch` to `target` does, so that a merge can be
    /// recorded and streamed like any other change. Applying them to `target` gives `apply(patch, to: target)`.
    public static func operations(_ patch: JSONValue, against target: JSONValue) -> [PatchOperation] {
        var ops: [PatchOperation] = []
        collect(patch, target, at: .root, into: &ops)
        return ops
    }

    private static func collect(_ patch: JSONValue, _ target: JSONValue?, at path: JSONPointer, into ops: inout [PatchOperation]) {
        guard case .object(let patchObject) = patch, case .object(let targetObject)? = target else {
            let merged = apply(patch, to: .null)
            if let target {
                // Skip a replace only when nothing would change, not even the spelling (1 vs 1.0).
                let unchanged = target.isSameText(as: merged)
                if !unchanged { ops.append(.replace(path: path, value: merged)) }
            } else {
                ops.append(.add(path: path, value: merged))
            }
            return
        }
        for (key, value) in patchObject.entries {
            let child = path.appending(key)
            let existing = targetObject[key]
            if case .null = value {
                if existing != nil { ops.append(.remove(path: child)) }
            } else {
                collect(value, existing, at: child, into: &ops)
            }
        }
    }
}
