package enroll

// Holding finds the application that holds CSRs already made: a renewal
// makes its keys on the security server, sends their CSRs as the first
// application was sent (Deliver, the command line's submit), and finds
// that submission again by the CSRs alone on any later run.

// Holding is the newest application in the store whose packages hold
// every one of csrs (DER) byte for byte. A record whose package does
// not verify is passed over, as are notices. False when none holds them
// all (or csrs is empty).
func (s *Store) Holding(csrs [][]byte) (Record, bool, error) {
	if len(csrs) == 0 {
		return Record{}, false, nil
	}
	recs, err := s.List()
	if err != nil {
		return Record{}, false, err
	}
	for _, r := range recs {
		if r.Kind == KindNotice {
			continue
		}
		sums, err := r.csrSums()
		if err != nil {
			continue
		}
		all := true
		for _, c := range csrs {
			all = all && sums[sha256Hex(c)]
		}
		if all {
			return r, true, nil
		}
	}
	return Record{}, false, nil
}
