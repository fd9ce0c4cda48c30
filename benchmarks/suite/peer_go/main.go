// evanphx/json-patch (Debian's golang-github-evanphx-json-patch-dev) on the suite's files: the 1-op and
// 100-op patches decoded from their text and applied to the state's text (Apply re-parses and
// re-serializes the document each time: that is its API), and the 10-key merge patch. Prints "name
// microseconds" lines like native_agstate.c. Built by scripts/bench.sh with GOPATH=/usr/share/gocode.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	jsonpatch "github.com/evanphx/json-patch"
)

func median(rounds int, f func()) float64 {
	times := make([]float64, 0, rounds)
	for r := 0; r < rounds; r++ {
		t0 := time.Now()
		f()
		times = append(times, float64(time.Since(t0).Nanoseconds())/1000)
	}
	sort.Float64s(times)
	return times[len(times)/2]
}

func main() {
	dir := "build/benchmarks/suite"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		return data
	}
	state, p1, p100, merge := read("state.json"), read("patch1.json"), read("patch100.json"), read("merge10.json")
	doc := state
	apply := func(text []byte) {
		patch, err := jsonpatch.DecodePatch(text)
		if err != nil {
			panic(err)
		}
		out, err := patch.Apply(doc)
		if err != nil {
			panic(err)
		}
		doc = out
	}
	fmt.Printf("text_patch1 %.2f\n", median(11, func() { apply(p1) }))
	fmt.Printf("text_patch100 %.2f\n", median(11, func() { apply(p100) }))
	fmt.Printf("text_merge10 %.2f\n", median(11, func() {
		out, err := jsonpatch.MergePatch(doc, merge)
		if err != nil {
			panic(err)
		}
		doc = out
	}))
}
