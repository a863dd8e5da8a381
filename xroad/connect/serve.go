package connect

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// The admin API takes an OpenAPI description by URL only: X-Road 7.4.2
// wsdl/OpenApiParser.java fetches it (http and https only, no file:, no
// upload). So a file the user has is served to the server for the moment
// of the call: on a loopback port of the server itself, forwarded back
// through the SSH connection (the server's sshd listens, this program
// answers), or on this computer's loopback when the program runs on the
// server. The URL the server keeps is that passing one: a refresh of such
// a description fails later, and the plan finds it again by its service
// code, not its URL.

// ServeFile serves data on the host's loopback under an unguessable path
// until stop is called; url is where the host reaches it.
func ServeFile(h remote.Host, data []byte) (url string, stop func(), err error) {
	var ln net.Listener
	switch c := h.(type) {
	case *remote.Client:
		ln, err = c.Raw().Listen("tcp", "127.0.0.1:0")
	case *remote.Local:
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		err = errors.New("connect: no way to serve a file to this host")
	}
	if err != nil {
		return "", nil, &Error{Key: "connect.err.serve_file", Err: err}
	}
	b := make([]byte, 16)
	rand.Read(b)
	path := "/" + hex.EncodeToString(b) + "/openapi"
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	})}
	go srv.Serve(ln)
	port := ln.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port) + path, func() { srv.Close() }, nil
}
