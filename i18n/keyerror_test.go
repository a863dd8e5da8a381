package i18n

import (
	"errors"
	"fmt"
	"testing"
)

type logsData struct{}

func (logsData) LogsData() bool { return true }

type keepsData struct{}

func (keepsData) LogsData() bool { return false }

// One flow's errors are not another's: a front end asks each flow in turn.
func TestKeyErrorRoomsApart(t *testing.T) {
	cause := errors.New("refused")
	var err error = fmt.Errorf("step: %w", &KeyError[logsData]{Key: "a.err.x", Data: map[string]any{"URL": "u"}, Err: cause})
	var mine *KeyError[logsData]
	var other *KeyError[keepsData]
	if !errors.As(err, &mine) || mine.Key != "a.err.x" || !errors.Is(err, cause) {
		t.Fatalf("errors.As/Is lost the error: %v", err)
	}
	if errors.As(err, &other) {
		t.Error("another room's errors.As caught it")
	}
	if got := err.Error(); got != "step: a.err.x map[URL:u]: refused" {
		t.Errorf("with data: %q", got)
	}
	if got := (&KeyError[keepsData]{Key: "b.err.y", Data: map[string]any{"URL": "u"}}).Error(); got != "b.err.y" {
		t.Errorf("without data: %q", got)
	}
}
