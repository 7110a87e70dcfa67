// Command barehandler is the baseline of scripts/bench-mock.sh: a net/http
// handler that only parses the form and writes a fixed JSON body, so the
// benchmark can state the mock's password grant as a share of what net/http
// itself can do on the same machine in the same run.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
)

const body = `{"access_token":"x","token_type":"Bearer","expires_in":3600}`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("barehandler: serving http://%s\n", ln.Addr())
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
