package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// servePages runs steward serve on db (schedules_test.go's startServe)
// and returns where the pages are.
func servePages(t *testing.T, db string) string {
	t.Helper()
	env, _, _ := storeCmdEnv(db)
	base, _, _ := startServe(t, env, "--db", db)
	return strings.TrimSuffix(base, "/api/v1")
}

// TestServePages: steward serve serves the stewards' pages beside the
// API: the sign-in page, a sign-in with a user of steward users add, the
// queue behind it.
func TestServePages(t *testing.T) {
	db := newDB(t)
	if code, _, stderr := cliRun(t, db, "a long enough password\n", "users", "add", "sara", "--role", "steward", "--db", db); code != exitOK {
		t.Fatal(stderr)
	}
	base := servePages(t, db)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(base + "/queue")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Request.URL.Path != "/login" || !strings.Contains(string(body), `name="password"`) || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("the queue before signing in: %s %d %.300s", res.Request.URL, res.StatusCode, body)
	}
	res, err = client.PostForm(base+"/login", url.Values{"name": {"sara"}, "password": {"a long enough password"}, "next": {"/queue"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/queue" || !strings.Contains(string(body), "Review queue") {
		t.Errorf("after signing in: %s %d %.300s", res.Request.URL, res.StatusCode, body)
	}
}

// TestServeDemoInBrowser drives Chromium through steward serve on the
// demo's database: sign in, the queue, the first suggestion, merge with
// m, undo it with u; screenshots of the queue and the suggestion go to
// $STEWARD_SHOTS (demo-queue.png, demo-suggestion.png), else to the
// test's temporary folder.
func TestServeDemoInBrowser(t *testing.T) {
	var bin string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("no chromium binary found on PATH (chromium, chromium-browser, google-chrome): apt-get install -y chromium")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	if code, _, stderr := cliRun(t, db, "", "demo", "--n", "300", "--db", db); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := cliRun(t, db, "a long enough password\n", "users", "add", "sara", "--role", "steward", "--db", db); code != exitOK {
		t.Fatal(stderr)
	}
	base := servePages(t, db)
	dir := os.Getenv("STEWARD_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1360, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/queue")); err != nil {
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
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	do(chromedp.WaitVisible(css(`input[name="password"]`)),
		chromedp.SendKeys(css(`input[name="name"]`), "sara"),
		chromedp.SendKeys(css(`input[name="password"]`), "a long enough password"),
		chromedp.Submit(css(`input[name="password"]`)),
		chromedp.WaitVisible(css(`table.queue`)))
	shot("demo-queue.png")
	do(chromedp.Click(css(`a.button.primary`)), chromedp.WaitVisible(css(`table.cluster`)))
	shot("demo-suggestion.png")
	title, err := chromedp.Run(ctx, chromedp.Text(css(`h1`)))
	if err != nil {
		t.Fatal(err)
	}
	do(chromedp.KeyEvent("m"), chromedp.WaitVisible(css(`.notice.done`)),
		chromedp.KeyEvent("u"), chromedp.WaitVisible(css(`table.record`)))
	page, err := chromedp.Run(ctx, chromedp.Text(css(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "The merge was undone") || !strings.Contains(page, "Merge 1") {
		t.Errorf("after m and u on %q:\n%.800s", title, page)
	}
	if _, err := fmt.Sscanf(strings.TrimPrefix(title, "Suggestion "), "%d", new(int)); err != nil {
		t.Errorf("the first suggestion's title %q", title)
	}
}
