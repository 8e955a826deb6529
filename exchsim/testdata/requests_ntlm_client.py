# A third-party NTLM client for exchsim's Extended Protection tests:
# Debian's python3-requests-ntlm, which sends channel bindings over https.
# Usage: requests_ntlm_client.py URL USER PASSWORD MODE CAFILE [N]
#   MODE cbt      - send the binding requests_ntlm computes (default client)
#        nocbt    - send_cbt=False, as a client without Extended Protection
#        wrongcbt - bind to a certificate hash that is not the server's
# Posts the request body from stdin N times (default 2) over one session
# and prints each status code on its own line.
import sys
import warnings

import requests
import requests_ntlm.requests_ntlm as rn
from requests_ntlm import HttpNtlmAuth

url, user, password, mode, cafile = sys.argv[1:6]
n = int(sys.argv[6]) if len(sys.argv) > 6 else 2
body = sys.stdin.buffer.read()
if mode == "wrongcbt":
    rn._get_certificate_hash = lambda der: "AB" * 32
warnings.simplefilter("ignore")
session = requests.Session()
session.auth = HttpNtlmAuth(user, password, send_cbt=(mode != "nocbt"))
headers = {"Content-Type": "text/xml; charset=utf-8"}
for _ in range(n):
    r = session.post(url, data=body, headers=headers, verify=cafile, timeout=30)
    print(r.status_code)
