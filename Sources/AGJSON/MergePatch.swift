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
