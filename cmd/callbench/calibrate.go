package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// calibrate measures what this machine itself adds to a latency-bound
// run: bare net/http POSTs over loopback to a handler that only sleeps
// latency, with the same number of requests and the same parallelism,
// and no SOAP, XML, NTLM or simulator. Its ratio to the floor is the best
// any client could do here; timer slack and goroutine wake-ups on a small
// VM can alone exceed the 1.15 target. With sec it runs over https with
// the run's certificate, as the simulators do.
func calibrate(ctx context.Context, requests, parallelism int, latency time.Duration, sec *benchTLS) (*figure, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("callbench: calibration: %w", err)
	}
	scheme := "http"
	clientTLS, err := sec.clientConfig()
	if err != nil {
		return nil, err
	}
	if sec != nil {
		cert, err := tls.LoadX509KeyPair(sec.cert, sec.key)
		if err != nil {
			return nil, fmt.Errorf("callbench: calibration: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
		scheme = "https"
	}
	reply := bytes.Repeat([]byte("x"), 600) // about a GetPhoneCallInformation answer
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(latency)
		w.Write(reply)
	})}
	go srv.Serve(ln)
	defer srv.Close()

	tr := &http.Transport{MaxIdleConnsPerHost: parallelism, MaxConnsPerHost: parallelism, TLSClientConfig: clientTLS}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := scheme + "://" + ln.Addr().String() + "/"
	payload := bytes.Repeat([]byte("y"), 700) // about a request envelope

	work := make(chan struct{}, requests)
	for range requests {
		work <- struct{}{}
	}
	close(work)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	start := time.Now()
	for range parallelism {
		wg.Go(func() {
			for range work {
				if err := post(ctx, client, url, payload); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("callbench: calibration: %w", firstErr)
	}
	return &figure{Calls: requests, Seconds: time.Since(start).Seconds()}, nil
}

func post(ctx context.Context, client *http.Client, url string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
