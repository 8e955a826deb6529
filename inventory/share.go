package inventory

import "github.com/zclconf/go-cty/cty"

// cty.ObjectVal builds a new object type, a map of attribute types, for
// every record, and a tuple keeps each element's type: at 100,000
// records that is about 35 MB of identical type maps, all alive at the
// end of loading, the peak of a standing policy's memory. go-cty has no
// constructor that takes a type, but a list keeps only its elements' raw
// values and gives every element it yields the list's one element type.
// typeSharer uses that: it puts records of one type in a list that
// starts with a null of an earlier record's type, and takes them back
// out, now sharing that type, so each record's own type map is garbage
// at once.
type typeSharer struct {
	// types are the distinct record types seen so far, at most
	// maxSharedTypes; records of another type keep their own.
	types []cty.Type
	// uniform says every record has types[0], as objectsValue knows of
	// a homogeneous inventory; the list checks it anyway.
	uniform bool
}

const (
	// shareBatch records are converted and then share types together:
	// enough to spread a list's cost, few enough that their own types
	// are never many at once.
	shareBatch = 512
	// maxSharedTypes bounds the types looked through for each record;
	// an inventory with more shapes than this is rare and small.
	maxSharedTypes = 16
)

// share replaces each of vals' types with an equal, shared one.
func (s *typeSharer) share(vals []cty.Value) {
	groups := make([][]int, len(s.types), maxSharedTypes)
	for i, v := range vals {
		j := 0
		if !s.uniform {
			j = s.find(v.Type())
		}
		if j < 0 {
			if len(s.types) == maxSharedTypes {
				continue
			}
			s.types = append(s.types, v.Type())
			groups = append(groups, nil)
			j = len(s.types) - 1
		}
		groups[j] = append(groups[j], i)
	}
	for j, idx := range groups {
		if len(idx) == 0 {
			continue
		}
		in := make([]cty.Value, 0, len(idx)+1)
		in = append(in, cty.NullVal(s.types[j]))
		for _, i := range idx {
			in = append(in, vals[i])
		}
		it := cty.ListVal(in).ElementIterator()
		it.Next() // the null that carries the type
		for _, i := range idx {
			it.Next()
			_, vals[i] = it.Element()
		}
	}
}

func (s *typeSharer) find(t cty.Type) int {
	for j, have := range s.types {
		if have.Equals(t) {
			return j
		}
	}
	return -1
}
