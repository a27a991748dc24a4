// Package webui serves the browser pages of the API — GraphiQL at
// /playground and the OpenAPI reference (Redoc) at /docs — from assets
// embedded in the binary: nothing is fetched from a CDN at run time, so
// both work offline. The assets are the prebuilt bundles of the npm
// packages pinned in package.json, stored gzipped (update-assets.sh
// refreshes them; SHA256SUMS records the uncompressed files, and a test
// holds the embedded files to it).
package webui

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed assets/*.gz assets/SHA256SUMS
var assets embed.FS

// AssetPrefix is where the embedded files are served.
const AssetPrefix = "/_assets/"

var contentTypes = map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}

// Assets serves the embedded files under AssetPrefix: gzipped as stored
// when the client accepts gzip, inflated otherwise. They never change for
// one binary, so clients may cache them.
func Assets() http.Handler {
	var mu sync.Mutex
	inflated := map[string][]byte{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, AssetPrefix)
		ct, ok := contentTypes[path.Ext(name)]
		gz, err := assets.ReadFile("assets/" + name + ".gz")
		if !ok || err != nil || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz)
			return
		}
		mu.Lock()
		body, ok := inflated[name]
		if !ok {
			body, err = gunzip(gz)
			if err != nil {
				mu.Unlock()
				http.Error(w, "asset unreadable", http.StatusInternalServerError)
				return
			}
			inflated[name] = body
		}
		mu.Unlock()
		_, _ = w.Write(body)
	})
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Asset returns one embedded file, uncompressed (for tests).
func Asset(name string) ([]byte, error) {
	gz, err := assets.ReadFile("assets/" + name + ".gz")
	if err != nil {
		return nil, err
	}
	return gunzip(gz)
}

// Manifest returns SHA256SUMS: "<sha256>  <name>" per asset.
func Manifest() string {
	b, _ := assets.ReadFile("assets/SHA256SUMS")
	return string(b)
}

// PlaygroundOptions configure the GraphiQL page.
type PlaygroundOptions struct {
	// Endpoint is the GraphQL path (HTTP and websocket).
	Endpoint string
	// Headers pre-fill the header editor (development: the demo key and
	// company). Empty: the editor starts with a template to fill in.
	Headers map[string]string
}

var playgroundPage = template.Must(template.New("playground").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BigLedger GraphQL</title>
<link rel="stylesheet" href="{{.Prefix}}graphiql.min.css">
<style>html,body,#graphiql{height:100%;margin:0;}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{{.Prefix}}react.production.min.js"></script>
<script src="{{.Prefix}}react-dom.production.min.js"></script>
<script src="{{.Prefix}}graphql-ws.min.js"></script>
<script src="{{.Prefix}}graphiql.min.js"></script>
<script>
(function () {
  var endpoint = {{.Endpoint}};
  var headers = {{.Headers}};
  var http = new URL(endpoint, location.href).href;
  var ws = http.replace(/^http/, "ws");
  function currentHeaders(opts) {
    var h = (opts && opts.headers) || {};
    if (typeof h === "string") { try { h = JSON.parse(h); } catch (e) { h = {}; } }
    return h;
  }
  // Queries and mutations go over HTTP with the header editor's headers;
  // subscriptions over graphql-transport-ws, whose connection_init
  // carries the same headers (the server authenticates them there).
  var clients = {};
  function wsClient(h) {
    var key = JSON.stringify(h);
    if (!clients[key]) {
      clients[key] = graphqlWs.createClient({ url: ws, connectionParams: h, lazy: true, retryAttempts: 3 });
    }
    return clients[key];
  }
  function isSubscription(params) {
    var doc = params.query || "";
    var name = params.operationName;
    var re = /(query|mutation|subscription)\s*([_A-Za-z][_0-9A-Za-z]*)?/g, m;
    while ((m = re.exec(doc))) {
      if (!name || m[2] === name) { return m[1] === "subscription"; }
    }
    return false;
  }
  function fetcher(params, opts) {
    var h = currentHeaders(opts);
    if (isSubscription(params)) {
      return wsClient(h).iterate(params);
    }
    var all = Object.assign({ "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" }, h);
    return fetch(http, { method: "POST", headers: all, body: JSON.stringify(params) }).then(function (r) { return r.json(); });
  }
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: JSON.stringify(headers, null, 2),
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: "headers",
    defaultQuery: "# BigLedger GraphQL. The Headers tab below holds your API key and company.\n" +
      "query Customers {\n  customers(first: 5) {\n    totalCount\n    edges { node { id customerNumber name currentBalance } }\n  }\n}\n\n" +
      "subscription NewCustomers {\n  customerCreated { id name }\n}\n"
  }));
})();
</script>
</body>
</html>
`))

// Playground serves GraphiQL.
func Playground(o PlaygroundOptions) http.Handler {
	headers := o.Headers
	if len(headers) == 0 {
		headers = map[string]string{"Authorization": "Bearer <your API key>"}
	}
	hj, _ := json.Marshal(headers)
	var buf bytes.Buffer
	err := playgroundPage.Execute(&buf, map[string]any{
		"Prefix": AssetPrefix, "Endpoint": o.Endpoint, "Headers": template.JS(hj),
	})
	if err != nil {
		panic(err) // the template and its inputs are ours
	}
	return page(buf.Bytes())
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>BigLedger REST API reference</title>
<style>body{margin:0;}</style>
</head>
<body>
<redoc spec-url="{{.Spec}}" hide-download-button="false"></redoc>
<script src="{{.Prefix}}redoc.standalone.js"></script>
</body>
</html>
`))

// Docs serves the OpenAPI reference page for the document at specURL.
func Docs(specURL string) http.Handler {
	var buf bytes.Buffer
	if err := docsPage.Execute(&buf, map[string]any{"Prefix": AssetPrefix, "Spec": specURL}); err != nil {
		panic(err)
	}
	return page(buf.Bytes())
}

func page(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(body)
	})
}
