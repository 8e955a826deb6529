package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/callctl/callctl/authkind"
	"github.com/callctl/callctl/soap"
)

// The bare client is the ceiling callctl is measured against: what a
// plain Go program does to look up the same calls with net/http and
// encoding/xml, and nothing else. No policy, no retries, no hooks, no
// diagnostics, no body cap, no DOCTYPE or depth guard. It keeps what any
// correct client must do: one connection per worker (NTLM authenticates a
// connection), credentials on every request, the envelope encoded and the
// answer decoded with encoding/xml, and a check of the answer.

// bareRequest is a GetPhoneCallInformation envelope, as encoding/xml
// renders it from namespace-tagged structs.
type bareRequest struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Header  struct {
		Version struct {
			Version string `xml:"Version,attr"`
		} `xml:"http://schemas.microsoft.com/exchange/services/2006/types RequestServerVersion"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	Body struct {
		Get struct {
			ID struct {
				ID string `xml:"Id,attr"`
			} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallId"`
		} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetPhoneCallInformation"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// bareResponse is the part of the answer the bare client reads.
type bareResponse struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Resp struct {
			Class string `xml:"ResponseClass,attr"`
			Code  string `xml:"http://schemas.microsoft.com/exchange/services/2006/messages ResponseCode"`
			Info  struct {
				State string `xml:"PhoneCallState"`
			} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages PhoneCallInformation"`
		} `xml:"http://schemas.microsoft.com/exchange/services/2006/messages GetPhoneCallInformationResponse"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

// bareLookups looks up every id against url with parallelism workers,
// each with its own single-connection transport, and fails on the first
// answer that is not a live call.
func bareLookups(ctx context.Context, url, auth string, ids []string, parallelism int, sec *benchTLS) error {
	tlsConfig, err := sec.clientConfig()
	if err != nil {
		return err
	}
	work := make(chan string, len(ids))
	for _, id := range ids {
		work <- id
	}
	close(work)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range parallelism {
		tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, TLSClientConfig: tlsConfig,
			DialContext: (&net.Dialer{Timeout: 30 * time.Second}).DialContext}
		defer tr.CloseIdleConnections()
		rt, err := authkind.Transport(auth, tr, authkind.Credentials{authkind.Username: simUser, authkind.Password: simPassword})
		if err != nil {
			return err
		}
		client := &http.Client{Transport: rt, Timeout: time.Minute}
		wg.Go(func() {
			for id := range work {
				if err := bareLookup(ctx, client, url, id); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("callbench: bare client, call %s: %w", id, err)
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

func bareLookup(ctx context.Context, client *http.Client, url, id string) error {
	var env bareRequest
	env.Header.Version.Version = soap.DefaultServerVersion
	env.Body.Get.ID.ID = id
	payload, err := xml.Marshal(&env)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(append([]byte(xml.Header), payload...)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `"`+soap.NamespaceMessages+`/GetPhoneCallInformation"`)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	var r bareResponse
	if err := xml.Unmarshal(body, &r); err != nil {
		return err
	}
	if r.Body.Resp.Class != "Success" || strings.TrimSpace(r.Body.Resp.Info.State) != "Connected" {
		return errors.New("answer is not a live call: " + r.Body.Resp.Class + " " + r.Body.Resp.Code)
	}
	return nil
}
