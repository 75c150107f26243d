package allornothing

import (
	"errors"
	"testing"
)

func TestRun(t *testing.T) {
	var s State
	if s.On() || s.Err() != nil {
		t.Fatal("the zero State is on or doomed")
	}
	s.Start()
	if err := s.Run(func() error { return nil }); err != nil || s.Err() != nil {
		t.Fatalf("a call that succeeded: %v, doomed %v", err, s.Err())
	}
	boom := errors.New("boom")
	if err := s.Run(func() error { return boom }); err != boom {
		t.Fatalf("a failed call returned %v, want its own error", err)
	}
	ran := false
	if err := s.Run(func() error { ran = true; return nil }); !errors.Is(err, boom) || ran {
		t.Fatalf("a call after the failure ran (%v) and returned %v", ran, err)
	}
	if !errors.Is(s.Err(), boom) {
		t.Fatalf("Err() = %v, want the failure", s.Err())
	}

	var p State
	func() {
		defer func() { _ = recover() }()
		_ = p.Run(func() error { panic("oops") })
	}()
	if p.Err() == nil {
		t.Fatal("a panic did not doom the transaction")
	}
}
