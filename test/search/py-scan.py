#!/usr/bin/env python3
"""Independent oracle for trove's search tests: Python's email package.

Reads file paths on stdin; prints one JSON line per file: the decoded subject (null when
Python cannot decode it), the Date as a UTC day and as the sender's local day (null when
unparseable), and the body of single-part text/plain messages (null otherwise).
"""
import email, email.header, email.policy, email.utils, json, sys, datetime

for line in sys.stdin:
    path = line.rstrip('\n')
    with open(path, 'rb') as f:
        raw = f.read()
    if raw.startswith(b'From '):
        raw = raw.split(b'\n', 1)[1] if b'\n' in raw else b''
    out = {'file': path, 'subject': None, 'utc_day': None, 'local_day': None, 'body': None}
    try:
        m = email.message_from_bytes(raw, policy=email.policy.compat32)
        subj = m.get('Subject')
        if isinstance(subj, str):
            try:
                parts = email.header.decode_header(subj)
                out['subject'] = ''.join(p.decode(c or 'ascii') if isinstance(p, bytes) else p for p, c in parts)
            except Exception:
                pass
        elif subj is None:
            out['subject'] = ''
        d = m.get('Date')
        if isinstance(d, str):
            try:
                dt = email.utils.parsedate_to_datetime(d)
                if dt.tzinfo is not None:
                    out['local_day'] = dt.date().isoformat()
                    out['utc_day'] = dt.astimezone(datetime.timezone.utc).date().isoformat()
            except Exception:
                pass
        if not m.is_multipart() and m.get_content_type() == 'text/plain' and (m.get('Content-Transfer-Encoding') or '7bit').strip().lower() in ('7bit', '8bit'):
            cs = m.get_content_charset() or 'us-ascii'
            try:
                out['body'] = (m.get_payload(decode=True) or b'').decode('ascii' if cs.lower() in ('us-ascii', 'ansi_x3.4-1968') else cs)
            except Exception:
                pass
    except Exception:
        pass
    print(json.dumps(out, ensure_ascii=False))
