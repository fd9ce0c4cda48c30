// Shows the one kind of report tsan-suppressions.txt hides, in plain Swift with no agstate code: a reader
// copies an array under a lock, reads its copy with no lock held and drops it; a writer changes the
// array in place under the lock, which copy-on-write allows once the reader's copy is gone. That is
// correct Swift (the reference count's atomic release and the uniqueness check order the accesses), but
// the count lives in the Swift runtime, which is not built for ThreadSanitizer, so it reports a race:
//   swiftc -O -sanitize=thread tests-sanitizers/cow-handoff.swift -o /tmp/cow-handoff && /tmp/cow-handoff
// A store does the same since it changes its state in place (Store.commit).
import Glibc

final class Box: @unchecked Sendable {
    var lock = pthread_mutex_t()
    var value: [Int] = Array(repeating: 0, count: 64)
    init() { pthread_mutex_init(&lock, nil) }
}
let box = Box()
var threads: [pthread_t] = []
for t in 0..<2 {
    var th = pthread_t()
    pthread_create(&th, nil, { _ in
        for i in 0..<20000 {
            pthread_mutex_lock(&box.lock)
            let copy = box.value
            pthread_mutex_unlock(&box.lock)
            var s = 0
            for x in copy { s &+= x }
            if s == -1 { print(i) }
        }
        return nil
    }, nil)
    threads.append(th)
}
for i in 0..<20000 {
    pthread_mutex_lock(&box.lock)
    box.value[i % 64] &+= 1
    pthread_mutex_unlock(&box.lock)
}
for th in threads { pthread_join(th, nil) }
print("done")
