package verify

// commitPipe runs a claim's commits after processing in the background,
// one at a time: the commit of a batch is started once the batch is
// processed, and runs while the claim fetches and processes the next one,
// whose own commit starts only once the first has ended. So an offset is
// never committed before the records below it were processed (the
// at-least-once promise), commits of a partition reach the broker in
// offset order, and a consumer waits for a commit's round trip only when
// it outlasts the processing of a whole batch. The zero value has no
// commit in flight.
type commitPipe struct {
	// res carries the outcome of the commit in flight (true: it took); nil
	// when none is.
	res chan bool
}

// start runs commit in the background. The commit before it must have
// ended (see wait).
func (p *commitPipe) start(commit func() bool) {
	if p.res != nil {
		panic("verify: a commit started while another was in flight")
	}
	res := make(chan bool, 1)
	p.res = res
	go func() { res <- commit() }()
}

// wait waits for the commit in flight, if any, and reports whether it
// took (true when none was in flight).
func (p *commitPipe) wait() bool {
	if p.res == nil {
		return true
	}
	return p.ended(<-p.res)
}

// ended takes the outcome of the commit in flight, received from res,
// and returns it.
func (p *commitPipe) ended(ok bool) bool {
	p.res = nil
	return ok
}
