# Python ntlm-auth's NTLMv2 answer to a CHALLENGE, bound to a certificate,
# for comparison with callctl's: prints the AV pairs of the NTLMv2 client
# blob in its AUTHENTICATE message as "ID:HEXVALUE" lines.
# Usage: ntlm_auth_blob.py CHALLENGE_B64 CERT_DER_FILE
import base64
import struct
import sys

from ntlm_auth.gss_channel_bindings import GssChannelBindingsStruct
from ntlm_auth.ntlm import NtlmContext
from requests_ntlm.requests_ntlm import _get_certificate_hash

challenge = base64.b64decode(sys.argv[1])
cert_hash = _get_certificate_hash(open(sys.argv[2], "rb").read())
cbt = GssChannelBindingsStruct()
cbt[cbt.APPLICATION_DATA] = b"tls-server-end-point:" + base64.b16decode(cert_hash)
ctx = NtlmContext("alice", "secret", "CORP", cbt_data=cbt, ntlm_compatibility=3)
ctx.step()
auth = ctx.step(challenge)
nt_len, _, nt_off = struct.unpack("<HHI", auth[20:28])
blob = auth[nt_off + 16 : nt_off + nt_len]
av = blob[28:]
while len(av) >= 4:
    av_id, av_len = struct.unpack("<HH", av[:4])
    print("%d:%s" % (av_id, av[4 : 4 + av_len].hex()))
    if av_id == 0:
        break
    av = av[4 + av_len :]
