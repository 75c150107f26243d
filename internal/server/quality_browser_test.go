package server_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/internal/quality"
	"github.com/steward-crm/steward/internal/store/storetest"
	"github.com/steward-crm/steward/validate"
)

// chromium returns the browser the browser tests drive (.ci/run installs
// Debian's chromium), skipping the test where there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on this machine, and CI needs the browser tests: apt-get install -y chromium (.ci/run does)")
	}
	t.Skip("no Chromium on this machine: apt-get install -y chromium (.ci/run does)")
	return ""
}

// shots is the folder screenshots are written to: $STEWARD_SHOTS, or the
// test's own.
func shots(t *testing.T) string {
	if d := os.Getenv("STEWARD_SHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestQualityInBrowser opens the mailed HTML report and the page /quality
// in Chromium: the trend chart draws one point per snapshot of the
// fixture, falling where the fixture's phones got worse; the page's counts
// are links that answer with the customers behind them.
func TestQualityInBrowser(t *testing.T) {
	browser := chromium(t)
	st := storetest.SQLite(t)
	ctx := context.Background()
	a := newAPI(t, st)
	rr, err := validate.NewRecordRules(validate.DefaultRecordRulesConfig("IR"))
	if err != nil {
		t.Fatal(err)
	}
	m := &quality.Measurer{Rules: rr}
	// Three nights: 10 customers, then 10 more with a bad phone each
	// night; the share of valid phones falls 100% → 50% → 33%.
	for night := range 3 {
		var cs []*steward.Customer
		for i := range 10 {
			phone := fmt.Sprintf("+98912%03d%04d", night, i)
			if night > 0 {
				phone = "12"
			}
			cs = append(cs, &steward.Customer{Record: steward.Record{Source: "shop", SourceID: fmt.Sprint(night, "-", i),
				FirstName: "Sara", LastName: fmt.Sprint("Ahmadi", night, i), Phone: phone, Country: "IR"}})
		}
		if err := st.CreateCustomers(ctx, cs, steward.Meta{Actor: "test", Cause: "fixture"}); err != nil {
			t.Fatal(err)
		}
		snap, err := m.Take(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		snap.TakenAt = time.Now().Add(time.Duration(night-3) * 24 * time.Hour)
		if err := st.SaveSnapshot(ctx, snap); err != nil {
			t.Fatal(err)
		}
	}
	snaps, err := st.Snapshots(ctx, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	dir := shots(t)
	file := filepath.Join(dir, "quality-report.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := quality.NewReport(snaps, "", "", nil).WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1100, 1400))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	// The mailed report: the phone line's points, top to bottom.
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+file), chromedp.WaitVisible(chromedp.CSS("svg polyline"))); err != nil {
		t.Fatal(err)
	}
	ys, err := chromedp.Run(bctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll('svg circle[fill="#7b4fb0"]')).map(c => +c.getAttribute('cy'))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ys) != 3 || !(ys[0] < ys[1] && ys[1] < ys[2]) {
		t.Errorf("the valid-phone line's points at y %v: want three, falling night by night", ys)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	writeShot(t, dir, "quality-report.png", shot)

	// The live page, signed in with a viewer's token; its worst source
	// links to the twenty customers with a bad phone.
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + a.tokens[steward.RoleViewer]}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(a.url+"/quality"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('a[href^="/api/v1/customers"]')).map(l => l.getAttribute('href'))`))
	if err != nil {
		t.Fatal(err)
	}
	if shot, err = chromedp.Run(bctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	writeShot(t, dir, "quality-page.png", shot)
	var worst string
	for _, l := range links {
		if strings.Contains(l, "metric=validity.phone") && strings.Contains(l, "source=shop") && !strings.Contains(l, "passing") {
			worst = l
		}
	}
	if len(links) < 20 || worst == "" {
		t.Fatalf("/quality links %d times to customers, the bad phones of shop at %q", len(links), worst)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(a.url+worst+"&limit=100")); err != nil {
		t.Fatal(err)
	}
	listed, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(listed, `"phone":"12"`); n != 20 {
		t.Errorf("the link lists %d customers with the phone 12, want 20", n)
	}
}

func writeShot(t *testing.T, dir, name string, png []byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}
