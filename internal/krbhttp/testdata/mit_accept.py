# MIT Kerberos's GSS-API acceptor (Debian's python3-gssapi over libgssapi-krb5),
# as the independent check of the Negotiate tokens callctl builds.
# Usage: mit_accept.py TOKEN_FILE APPDATA_HEX
# TOKEN_FILE holds the base64 token; APPDATA_HEX is the channel bindings'
# application data the acceptor expects ("" for none). The service keys
# come from KRB5_KTNAME. Prints "accepted PRINCIPAL" or "refused MESSAGE".
import base64
import sys

import gssapi
from gssapi.raw import ChannelBindings

token = base64.b64decode(open(sys.argv[1]).read())
appdata = bytes.fromhex(sys.argv[2])
bindings = ChannelBindings(application_data=appdata) if appdata else None
ctx = gssapi.SecurityContext(usage="accept", channel_bindings=bindings)
# python-gssapi keeps an error that came with an output token (SPNEGO's
# reject) and raises it on the next use of the context.
try:
    ctx.step(token)
    if not ctx.complete:
        raise RuntimeError("SPNEGO did not complete")
    who = ctx.initiator_name
except (gssapi.exceptions.GSSError, RuntimeError) as e:
    print("refused", " ".join(str(e).split()))
    sys.exit(0)
print("accepted", who)
