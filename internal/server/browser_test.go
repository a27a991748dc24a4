package server_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bigledger/bigledger/internal/server"
	"github.com/bigledger/bigledger/internal/testkit"
)

// chromium finds the browser: BIGLEDGER_CHROMIUM, else Debian's
// (make test installs it through .ci/ensure-chromium.sh). A machine
// without one fails the test: it is part of the suite, not optional.
func chromium(t *testing.T) string {
	if p := os.Getenv("BIGLEDGER_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: run .ci/ensure-chromium.sh (apt-get install chromium) or set BIGLEDGER_CHROMIUM")
	return ""
}

// artifacts is where the browser test leaves its screenshots:
// BIGLEDGER_TEST_ARTIFACTS, else .artifacts/browser at the repository
// root (git ignores it).
func artifacts(t *testing.T) string {
	dir := os.Getenv("BIGLEDGER_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".artifacts", "browser")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlaygroundInBrowser opens the playground in headless Chromium the
// way a developer would: the header editor holds the key and company, a
// query answers, and a subscription started from the page receives an
// event made through REST. The /docs page renders the OpenAPI document.
// Screenshots of each step are saved as test artifacts.
func TestPlaygroundInBrowser(t *testing.T) {
	headers := map[string]string{}
	e := testkit.New(t, testkit.Options{Realtime: true, Server: func(o *server.Options) { o.PlaygroundHeaders = headers }})
	// The playground page is rendered when the handler is built, so the
	// tenant's key goes in through a second server over the same database.
	headers["Authorization"] = "Bearer " + e.A.Key
	headers["X-Company-Id"] = e.A.CompanyID
	e.Server.Config.Handler = e.Srv.Handler()
	e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Browser Existing Ltd", "email": "existing@browser.test"})

	// The browser profile is removed by hand after the browser is gone:
	// Chromium may still be writing into it when t.TempDir's cleanup runs.
	profile, err := os.MkdirTemp("", "bigledger-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1400, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	var consoleMu sync.Mutex
	var console []string
	chromedp.ListenTarget(ctx, func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *cdpruntime.EventConsoleAPICalled:
			parts := []string{string(ev.Type)}
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			line = strings.Join(parts, " ")
		case *cdpruntime.EventExceptionThrown:
			line = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				line += " " + ev.ExceptionDetails.Exception.Description
			}
		default:
			return
		}
		consoleMu.Lock()
		console = append(console, line)
		consoleMu.Unlock()
	})
	defer func() {
		if t.Failed() {
			consoleMu.Lock()
			t.Logf("browser console:\n%s", strings.Join(console, "\n"))
			consoleMu.Unlock()
		}
	}()
	dir := artifacts(t)
	// shot saves the visible window as PNG.
	shot := func(name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var buf []byte
			if err := chromedp.CaptureScreenshot(&buf).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name), buf, 0o644)
		})
	}
	// editorValue reads a CodeMirror editor of GraphiQL by its container.
	editorValue := func(sel string, out *string) chromedp.Action {
		return chromedp.Evaluate(`(function(){var el=document.querySelector(`+jsString(sel)+`);return el&&el.CodeMirror?el.CodeMirror.getValue():"";})()`, out)
	}
	waitResponse := func(substr string, out *string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			for {
				if err := editorValue(".graphiql-response .CodeMirror", out).Do(ctx); err != nil {
					return err
				}
				if strings.Contains(*out, substr) {
					return nil
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	// setQuery puts a document into the query editor and gives GraphiQL
	// a moment to take the change into its state (its editor change
	// handler is debounced; a click straight after setValue can run the
	// previous, empty document).
	setQuery := func(query string) chromedp.Action {
		return chromedp.Tasks{
			chromedp.Evaluate(`document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(`+jsString(query)+`); true`, nil),
			chromedp.Sleep(700 * time.Millisecond),
		}
	}
	// execute presses the run button through its own click handler, as a
	// user's click runs it (a synthesized mouse event at its centre does
	// not reach GraphiQL's handler in headless Chromium).
	execute := chromedp.Evaluate(`document.querySelector(".graphiql-execute-button").click(); true`, nil)
	// runQuery executes a query and waits for substr in the response
	// pane, pressing run again if no answer came within a few seconds
	// (a query is safe to repeat; a subscription is not, see below).
	runQuery := func(query, substr string, out *string) chromedp.Action {
		return chromedp.Tasks{
			setQuery(query),
			chromedp.ActionFunc(func(ctx context.Context) error {
				for {
					if err := execute.Do(ctx); err != nil {
						return err
					}
					wctx, cancel := context.WithTimeout(ctx, 4*time.Second)
					err := waitResponse(substr, out).Do(wctx)
					cancel()
					if err == nil || ctx.Err() != nil {
						return err
					}
				}
			}),
		}
	}

	var headerText, queryResult, subResult string
	err = chromedp.Run(ctx,
		chromedp.Navigate(e.Server.URL+"/playground"),
		chromedp.WaitVisible(".graphiql-query-editor .CodeMirror", chromedp.ByQuery),
		chromedp.Evaluate(`Array.from(document.querySelectorAll(".graphiql-editor-tool .CodeMirror")).map(function(el){return el.CodeMirror.getValue();}).join("\n")`, &headerText),
		shot("playground-loaded.png"),
		runQuery(`query Browser { customers(first: 5) { totalCount edges { node { name } } } }`, "Browser Existing Ltd", &queryResult),
		shot("playground-query.png"),
		setQuery(`subscription Created { customerCreated { id name } }`),
		execute,
	)
	if err != nil {
		t.Fatalf("playground: %v (headers %q, result %q)", err, headerText, queryResult)
	}
	if !strings.Contains(headerText, e.A.Key) || !strings.Contains(headerText, e.A.CompanyID) {
		t.Errorf("the header editor does not hold the key and company: %q", headerText)
	}
	if !strings.Contains(queryResult, `"totalCount": 1`) {
		t.Errorf("query result: %s", queryResult)
	}
	// The subscription is live once the server holds it; then an event
	// made through REST reaches the page.
	deadline := time.Now().Add(20 * time.Second)
	for e.Srv.Hub().Subscribers() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if e.Srv.Hub().Subscribers() == 0 {
		t.Fatal("the playground's subscription never reached the server")
	}
	e.Do(e.A, "POST", "/api/v1/customers", map[string]any{"name": "Arrived Live Sdn Bhd", "email": "live@browser.test"})
	if err := chromedp.Run(ctx, waitResponse("Arrived Live Sdn Bhd", &subResult), shot("playground-subscription.png")); err != nil {
		t.Fatalf("subscription event did not reach the page: %v (result %q)", err, subResult)
	}

	var title string
	err = chromedp.Run(ctx,
		chromedp.Navigate(e.Server.URL+"/docs"),
		chromedp.WaitVisible(`[data-section-id^="tag/customers"]`, chromedp.ByQuery),
		chromedp.Title(&title),
		shot("docs.png"),
	)
	if err != nil {
		t.Fatalf("docs page: %v", err)
	}
	var text string
	if err := chromedp.Run(ctx, chromedp.Text("body", &text, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "List customers") || !strings.Contains(text, "Record a payment") {
		t.Errorf("docs page does not show the operations (%d characters of text)", len(text))
	}
	t.Logf("screenshots in %s", dir)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
