#!/usr/bin/env python3
"""Independent counts for test/ingest/corpora.test.ts, with Python's tarfile, hashlib,
mailbox and email modules. argv[1] = corpora folder. Prints one JSON object."""
import email.parser, hashlib, json, mailbox, os, sys, tarfile

corpora = sys.argv[1]
hp = email.parser.BytesHeaderParser()

def mid(raw):
    v = hp.parsebytes(raw).get('Message-ID')
    return v.strip() if isinstance(v, str) and v.strip() else None

out = {}
# Enron: one message per file
t = tarfile.open(os.path.join(corpora, 'enron-maildir.tar.gz'))
files, shas, mids = 0, set(), set()
for m in t:
    if m.isfile():
        raw = t.extractfile(m).read()
        files += 1
        shas.add(hashlib.sha256(raw).hexdigest())
        x = mid(raw)
        if x: mids.add(x)
out['enron'] = {'files': files, 'unique': len(shas), 'message_ids': sorted(mids)}

# SpamAssassin: one message per file (most behind an mbox envelope line)
t = tarfile.open(os.path.join(corpora, 'spamassassin.tar.gz'))
files, mids = 0, set()
for m in t:
    if m.isfile():
        raw = t.extractfile(m).read()
        files += 1
        if raw.startswith(b'From '):
            raw = raw.split(b'\n', 1)[1]
        x = mid(raw)
        if x: mids.add(x)
out['spamassassin'] = {'files': files, 'message_ids': sorted(mids)}

# Apache mboxes
n, mids = 0, set()
d = os.path.join(corpora, 'mbox')
for f in sorted(os.listdir(d)):
    for msg in mailbox.mbox(os.path.join(d, f), create=False):
        n += 1
        x = msg.get('Message-ID')
        if isinstance(x, str) and x.strip(): mids.add(x.strip())
out['mbox'] = {'messages': n, 'message_ids': sorted(mids)}
print(json.dumps(out))
