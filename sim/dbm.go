package sim

// dbm is a closed difference-bound matrix over the integer variables k[0..4]
// with k[0] = 0: d[i][j] is the tightest bound on k[i] - k[j]. Difference
// constraints with integer bounds are feasible over the integers exactly
// when they are over the reals, and a closed matrix yields a solution
// directly, so this is an exact decision procedure for the cells of the
// worst-case analysis.
type dbm [numBases][numBases]int64

// unbounded stands for no bound; sums are saturated below it.
const unbounded = int64(1) << 60

func newDBM() dbm {
	var d dbm
	for i := range d {
		for j := range d[i] {
			if i != j {
				d[i][j] = unbounded
			}
		}
	}
	return d
}

func sat(a, b int64) int64 {
	if a >= unbounded || b >= unbounded {
		return unbounded
	}
	s := a + b
	if s > unbounded {
		return unbounded
	}
	if s < -unbounded {
		return -unbounded
	}
	return s
}

// feasibleWith reports whether k[i] - k[j] <= c is consistent with d.
func (d *dbm) feasibleWith(i, j int, c int64) bool {
	return i == j && c >= 0 || i != j && sat(d[j][i], c) >= 0
}

// add tightens d with k[i] - k[j] <= c and closes it again (O(n²)). It
// reports false, leaving d unusable, when the constraint is inconsistent.
func (d *dbm) add(i, j int, c int64) bool {
	if !d.feasibleWith(i, j, c) {
		return false
	}
	if i == j || c >= d[i][j] {
		return true
	}
	for a := range d {
		for b := range d {
			if v := sat(sat(d[a][i], c), d[j][b]); v < d[a][b] {
				d[a][b] = v
			}
		}
	}
	return true
}

// solution returns a point of d: k[i] = d[i][0], the largest value each
// variable can take (a closed matrix's bounds from the zero variable are a
// solution by the triangle inequality).
func (d *dbm) solution() [numBases]int64 {
	var k [numBases]int64
	for i := 1; i < numBases; i++ {
		k[i] = d[i][0]
	}
	return k
}
