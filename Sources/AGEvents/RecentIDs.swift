import DequeModule

/// A set of ids that forgets its oldest members beyond a capacity: what the validator remembers of
/// ids that are no longer open (ended tool calls, used message ids, ids of ended runs), so that an
/// endless stream holds bounded memory. A check against a forgotten id passes, which errs on the side
/// of no finding.
struct RecentIDs {
    private var members = IDSet()
    private var order: Deque<String> = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func contains(_ id: String) -> Bool { members.contains(id) }

    var count: Int { members.count }

    mutating func insert(_ id: String) {
        guard members.insert(id) else { return }
        order.append(id)
        if order.count > capacity { members.remove(order.removeFirst()) }
    }

    mutating func removeAll() {
        members.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
    }
}
