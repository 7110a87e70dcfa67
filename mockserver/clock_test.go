package mockserver

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClock(t *testing.T) {
	c := NewClock()
	assert.WithinDuration(t, time.Now(), c.Now(), time.Second, "follows real time")

	c.Advance(time.Hour)
	assert.WithinDuration(t, time.Now().Add(time.Hour), c.Now(), time.Second, "offset")

	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	c.Set(at)
	assert.Equal(t, at, c.Now(), "pinned")
	time.Sleep(2 * time.Millisecond)
	assert.Equal(t, at, c.Now(), "pinned clocks do not tick")
	c.Advance(-time.Minute)
	assert.Equal(t, at.Add(-time.Minute), c.Now())

	c.Reset()
	assert.WithinDuration(t, time.Now(), c.Now(), time.Second, "back to real time")

	var zero Clock
	assert.WithinDuration(t, time.Now(), zero.Now(), time.Second, "zero value is usable")
}

func TestClockConcurrent(t *testing.T) {
	c := NewClock()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				c.Advance(time.Second)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	assert.WithinDuration(t, time.Now().Add(1600*time.Second), c.Now(), 5*time.Second)
}
