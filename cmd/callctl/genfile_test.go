package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdGenfile writes a large hostile input that a script could not hold
// inline:
//
//	genfile NAME nest N     "a = " and N nested "["
//	genfile NAME random N   N pseudo-random bytes (fixed seed)
//	genfile NAME blanks N   N lines "lineI = " with no value
func cmdGenfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: genfile NAME nest|random|blanks N")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	var b bytes.Buffer
	switch args[1] {
	case "nest":
		b.WriteString("a = ")
		b.Write(bytes.Repeat([]byte("["), n))
		b.WriteString("\n")
	case "random":
		r := rand.New(rand.NewPCG(1, 2))
		for range n {
			b.WriteByte(byte(r.Uint32()))
		}
	case "blanks":
		for i := range n {
			fmt.Fprintf(&b, "line%d = \n", i)
		}
	default:
		ts.Fatalf("genfile: unknown kind %q", args[1])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}
