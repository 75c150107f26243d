package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/store/storetest"
)

// chromium returns the path of a Chromium (or Chrome) binary, "" when
// there is none.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// shots is the folder the screenshots go to: $STEWARD_SHOTS, or the
// test's own temporary folder.
func shots(t *testing.T) string {
	dir := os.Getenv("STEWARD_SHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowser drives Chromium through a steward's morning: sign in, the
// queue, a cluster of three with one survivor value changed, merge by
// keyboard, the customer page, undo, not a duplicate by keyboard, gone
// from the queue; with screenshots of the queue and of a Latin and a
// Persian cluster page.
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found on PATH (chromium, chromium-browser, google-chrome): apt-get install -y chromium")
	}
	s := newSite(t, storetest.SQLite(t))
	fx := s.seed()
	dir := shots(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1360, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first action starts the browser, which lives as long as its
	// context: no timeout on that one; the others have one.
	if err := chromedp.Do(bctx, chromedp.Navigate(s.url+"/queue")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
	css := func(s string, a ...any) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(s, a...)) }
	latin, persian, other := fx.Latin, fx.Persian, fx.Other
	ids := latin.CustomerIDs

	do(chromedp.WaitVisible(css(`input[name="password"]`)),
		chromedp.SendKeys(css(`input[name="name"]`), "steward1"),
		chromedp.SendKeys(css(`input[name="password"]`), "password of steward"),
		chromedp.Submit(css(`input[name="password"]`)),
		chromedp.WaitVisible(css(`table.queue`)),
		// j selects a row.
		chromedp.KeyEvent("j"),
		chromedp.WaitVisible(css(`tr.selected`)))
	shot("queue.png")

	do(chromedp.Navigate(fmt.Sprintf("%s/suggestions/%d", s.url, persian.ID)), chromedp.WaitVisible(css(`table.cluster`)))
	shot("cluster-persian.png")

	do(chromedp.Navigate(fmt.Sprintf("%s/suggestions/%d", s.url, latin.ID)), chromedp.WaitVisible(css(`table.cluster`)),
		chromedp.Click(css(`input[name="f.email"][value="%d"]`, ids[1])),
		chromedp.WaitVisible(css(`td.chosen input[name="f.email"][value="%d"]`, ids[1])))
	shot("cluster-latin.png")
	// m merges; the next suggestion opens, saying so.
	do(chromedp.KeyEvent("m"), chromedp.WaitVisible(css(`.notice.done`)))
	body := text(`.notice.done`)

	do(chromedp.Navigate(fmt.Sprintf("%s/customers/%d", s.url, ids[0])), chromedp.WaitVisible(css(`table.record`)))
	customer := text(`table.record`)
	shot("customer.png")
	// u undoes the last merge from any page.
	do(chromedp.KeyEvent("u"), chromedp.WaitVisible(css(`.notice.done`)))

	do(chromedp.Navigate(fmt.Sprintf("%s/suggestions/%d", s.url, other.ID)), chromedp.WaitVisible(css(`table.cluster`)),
		chromedp.KeyEvent("n"), chromedp.WaitVisible(css(`.notice.done`)),
		chromedp.Navigate(s.url+"/queue"), chromedp.WaitVisible(css(`table.queue`)))
	queue, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`table.queue`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Merged") {
		t.Errorf("after m: %q", body)
	}
	if !strings.Contains(customer, "sara@example.org") {
		t.Errorf("customer page after the merge: %q", customer)
	}
	for _, id := range ids {
		if c := s.customer(id); c.Status != steward.StatusActive {
			t.Errorf("after undo #%d is %s", id, c.Status)
		}
	}
	if strings.Contains(queue, fmt.Sprintf(`/suggestions/%d?`, other.ID)) {
		t.Error("not a duplicate, yet still in the queue")
	}
	if sg, err := s.st.Suggestion(context.Background(), other.ID); err != nil || sg.Status != steward.SuggestionRejected {
		t.Errorf("suggestion %d after n: %v %v", other.ID, sg, err)
	}
}
