// nlohmann/json (Debian's nlohmann-json3-dev) on the suite's files: parse and serialize the state, and
// the 1-op and 100-op patches parsed from their text and applied in place (patch_inplace: not atomic; a
// patch failing half way leaves half of it applied). Prints "name microseconds" lines like native_agstate.c.
#include <nlohmann/json.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using nlohmann::json;

static std::string slurp(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

template <class F> static double median_us(int rounds, F f) {
    std::vector<double> t;
    for (int r = 0; r < rounds; r++) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

int main(int argc, char **argv) {
    std::string dir = argc > 1 ? argv[1] : "build/benchmarks/suite";
    std::string text = slurp(dir + "/state.json"), p1 = slurp(dir + "/patch1.json"), p100 = slurp(dir + "/patch100.json");
    json doc;
    std::printf("parse %.2f\n", median_us(15, [&] { doc = json::parse(text); }));
    std::printf("serialize %.2f\n", median_us(15, [&] { std::string out = doc.dump(); (void)out; }));
    std::printf("small_patch1 %.2f\n", median_us(41, [&] { doc.patch_inplace(json::parse(p1)); }));
    std::printf("small_patch100 %.2f\n", median_us(41, [&] { doc.patch_inplace(json::parse(p100)); }));
    return 0;
}
