package auth

import (
	"testing"
	"time"
)

// A bucket empties after Burst failures, names how long to wait, refills
// at Rate, and buckets of other keys are untouched.
func TestThrottle(t *testing.T) {
	th := NewThrottle(2, 20)
	th.Fail("ip:a", "")
	if w := th.Wait("ip:a"); w != 0 {
		t.Fatalf("one failure of two throttled: %v", w)
	}
	th.Fail("ip:a")
	w := th.Wait("ip:a", "ip:b")
	if w <= 0 || w > 100*time.Millisecond {
		t.Fatalf("after the burst: wait %v, want about 50ms", w)
	}
	if th.Wait("ip:b") != 0 {
		t.Fatal("another address throttled")
	}
	time.Sleep(w + 20*time.Millisecond)
	if w := th.Wait("ip:a"); w != 0 {
		t.Fatalf("not refilled: %v", w)
	}
	if KeyPrefix("blk_abcdefghijkl_short") != "" || KeyPrefix("not a key") != "" || KeyPrefix("blk_abcdefghijkl_0123456789012345678901234567890123456789") != "abcdefghijkl" {
		t.Fatal("KeyPrefix")
	}
}
