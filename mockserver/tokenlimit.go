package mockserver

// DefaultMaxTokens is the default of Config.MaxTokens: about 100 MB of
// memory store, far above what a test suite issues, yet a bound a mock left
// running for weeks under load cannot pass.
const DefaultMaxTokens = 1_000_000

// TokenLimiter is a Store that bounds the tokens it keeps (the memory store
// and package sqlstore's). limit is read whenever the store applies it (so a
// reload that changes max_tokens applies at once); onEvict hears how many
// unexpired tokens went.
type TokenLimiter interface {
	SetTokenLimit(limit func() int, onEvict func(n int))
}

// limitStore hands the config's max_tokens to a store that can apply it.
func (s *Server) limitStore() {
	lim, ok := s.store.(TokenLimiter)
	if !ok {
		return
	}
	lim.SetTokenLimit(func() int { return s.state.Load().maxTokens }, s.noteEvicted)
}

// noteEvicted logs evictions at Warn: the first, then each time the total
// doubles, so a store that stays full logs a handful of lines, not one per
// grant.
func (s *Server) noteEvicted(n int) {
	total := s.evicted.Add(uint64(n))
	before := total - uint64(n)
	if before == 0 || bitLen(total) > bitLen(before) {
		s.log.Warn("token store full: oldest tokens dropped before they expired (raise max_tokens if clients need them)",
			"max_tokens", s.state.Load().maxTokens, "dropped_total", total)
	}
}

func bitLen(v uint64) int {
	n := 0
	for ; v != 0; v >>= 1 {
		n++
	}
	return n
}
