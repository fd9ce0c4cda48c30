// The registry's resident lookup measured in the engine itself, without the C boundary (handle table,
// argument checks): `Registry.get` of a resident store and the hold's release. The C-level figures are
// benchmarks/registry.c's. Run: swift run -c release agstate-bench-registry
#if canImport(Glibc)
import Glibc
#endif
import AGJSON
import AGRegistry

func nanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

let registry = try Registry()
let ids = (0..<1000).map { "conv-\($0)" }
for id in ids { try registry.get(id, initial: ["messages": []]).release() }
func cpuNanoseconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
}

var samples: [Double] = []
let cpuStart = cpuNanoseconds()
for _ in 0..<50 {
    let start = nanoseconds()
    for k in 0..<100_000 {
        let hold = try registry.get(ids[k % 1000])
        hold.release()
    }
    samples.append((nanoseconds() - start) / 100_000)
}
let cpu = (cpuNanoseconds() - cpuStart) / 5e6
samples.sort()
print("resident Registry.get + release (engine, no C boundary): median \(Int(samples[25])) ns, fastest batch \(Int(samples[0])) ns, \(Int(cpu)) ns of CPU time each")
registry.close()
