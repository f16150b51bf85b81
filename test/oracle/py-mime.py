#!/usr/bin/env python3
"""Independent oracle for trove's MIME stage: Python's email package.

Reads file paths on stdin, prints one JSON line per file with what Python decodes:
subject, Message-ID, the decoded body of single-part text/plain messages, and the
attachment file names. Used by test/oracle/mime-oracle.test.ts.
"""
import email, email.policy, json, sys

def text_of(msg):
    if msg.is_multipart() or msg.get_content_type() != 'text/plain':
        return None
    cs = msg.get_content_charset() or 'us-ascii'
    payload = msg.get_payload(decode=True) or b''
    try:
        return payload.decode(cs)
    except (LookupError, UnicodeDecodeError):
        return None

for line in sys.stdin:
    path = line.rstrip('\n')
    with open(path, 'rb') as f:
        raw = f.read()
    if raw.startswith(b'From '):
        raw = raw.split(b'\n', 1)[1] if b'\n' in raw else b''
    out = {'file': path}
    try:
        m = email.message_from_bytes(raw, policy=email.policy.compat32)
        subj = m.get('Subject')
        try:
            parts = email.header.decode_header(subj) if subj is not None else []
            out['subject'] = ''.join(p.decode(c or 'ascii') if isinstance(p, bytes) else p for p, c in parts) if subj is not None else None
        except Exception:
            out['subject'] = None
        mid = m.get('Message-ID')
        out['message_id'] = mid.strip() if isinstance(mid, str) else None
        out['text'] = text_of(m)
        # trove turns message/rfc822 parts into messages of their own: do not descend into them
        def leaves(part):
            if part.get_content_type() in ('message/rfc822', 'message/global') or not part.is_multipart():
                yield part
                return
            for sub in part.get_payload():
                yield from leaves(sub)
        out['attachments'] = sorted(p.get_filename() for p in leaves(m) if p.get_filename())
        out['flowed'] = (m.get_param('format') or '').lower() == 'flowed'
    except Exception as e:
        out['error'] = str(e)
    print(json.dumps(out))
