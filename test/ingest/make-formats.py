#!/usr/bin/env python3
"""Builds the nested dump for test/ingest/formats.test.ts in argv[1]: one zip holding a
maildir, an MH folder, a tar.bz2 with a CRLF mbox, a gzipped .eml, a .txt message, a 7z and a
zip inside the zip. Deterministic."""
import bz2, gzip, io, os, sys, tarfile, zipfile

out = sys.argv[1]
fixtures = sys.argv[2]
os.makedirs(out, exist_ok=True)
T = (2017, 5, 5, 12, 0, 0)

def msg(mid, eol='\n'):
    return eol.join([f'Message-ID: <{mid}@formats.example>', 'From: a@formats.example', 'To: b@formats.example',
                     f'Subject: {mid}', 'Date: Fri, 5 May 2017 12:00:00 +0200', '', f'body of {mid}', '']).encode()

mbox = b''.join(b'From a@formats.example Fri May  5 12:00:00 2017\r\n' + msg(f'mbox-{i}', '\r\n') + b'\r\n' for i in range(3))
tb = io.BytesIO()
with tarfile.open(fileobj=tb, mode='w:bz2') as t:
    ti = tarfile.TarInfo('lists/crlf.mbox'); ti.size = len(mbox); ti.mtime = 1494000000
    t.addfile(ti, io.BytesIO(mbox))
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w') as z:
    z.writestr(zipfile.ZipInfo('deeper/inner.eml', T), msg('inner-zip'))

members = {
    'dump/maildir/alice/cur/1494000000.M1.host:2,S': msg('maildir-cur'),
    'dump/maildir/alice/new/1494000001.M2.host': msg('maildir-new'),
    'dump/mh/inbox/1': msg('mh-1'),
    'dump/mh/inbox/2': msg('mh-2'),
    'dump/mh/inbox/.mh_sequences': b'unseen: 2\n',
    'dump/archives/msgs.tar.bz2': tb.getvalue(),
    'dump/archives/one.eml.gz': gzip.compress(msg('gzipped'), mtime=0),
    'dump/archives/inner.zip': inner.getvalue(),
    'dump/archives/normal.7z': open(os.path.join(fixtures, 'normal.7z'), 'rb').read(),
    'dump/loose/note.txt': msg('dot-txt'),
}
with zipfile.ZipFile(os.path.join(out, 'formats.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for name in sorted(members):
        z.writestr(zipfile.ZipInfo(name, T), members[name])
