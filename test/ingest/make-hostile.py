#!/usr/bin/env python3
"""Builds the hostile-input dump for test/ingest/hostile-input.test.ts in the folder given
as argv[1]. Everything is generated (nothing downloaded); sizes stay small on disk."""
import io, os, sys, tarfile, zipfile, gzip

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

def msg(mid, subject='hello', body='body\n', extra=''):
    return (f'Message-ID: <{mid}@hostile.example>\nFrom: a@hostile.example\nTo: b@hostile.example\n'
            f'Subject: {subject}\nDate: Mon, 1 May 2017 10:00:00 +0000\n{extra}\n{body}').encode()

def write(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

# zip bomb: 300 MB of zeros deflates to ~300 KB
with zipfile.ZipFile(os.path.join(out, 'bomb.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('zeros.eml', 'w', force_zip64=True) as f:
        chunk = b'\0' * (1 << 20)
        for _ in range(300):
            f.write(chunk)
    z.writestr('ok.eml', msg('beside-bomb'))

# zip-slip and absolute member names
with zipfile.ZipFile(os.path.join(out, 'slip.zip'), 'w') as z:
    z.writestr('../../escaped.eml', msg('zip-slip'))
    z.writestr('/etc/absolute.eml', msg('absolute'))

# tar with a symlink and a hard link next to a real message
with tarfile.open(os.path.join(out, 'links.tar'), 'w') as t:
    data = msg('in-tar')
    ti = tarfile.TarInfo('mail/real.eml'); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    sl = tarfile.TarInfo('mail/link.eml'); sl.type = tarfile.SYMTYPE; sl.linkname = '/etc/passwd'; t.addfile(sl)

# zip nested 40 levels deep (limit 32)
inner = msg('deepest')
name = 'm.eml'
for i in range(40):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w') as z:
        z.writestr(name, inner)
    inner, name = b.getvalue(), f'level{39 - i}.zip'
write('deep.zip', inner)

# truncated archives: a zip and a tar.gz cut in the middle
b = io.BytesIO()
with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(20):
        z.writestr(f'm{i}.eml', msg(f'trunc-zip-{i}', body=('lorem ipsum %d\n' % i) * 200))
write('truncated.zip', b.getvalue()[: len(b.getvalue()) // 2])
b = io.BytesIO()
with tarfile.open(fileobj=b, mode='w:gz') as t:
    for i in range(20):
        d = msg(f'trunc-tgz-{i}', body=os.urandom(3000).hex() + '\n')
        ti = tarfile.TarInfo(f'm{i}.eml'); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
write('truncated.tar.gz', b.getvalue()[: len(b.getvalue()) // 2])

# loose files
write('empty.eml', b'')
write('binary.eml', os.urandom(4096).replace(b'\n', b'\0'))
write('long-header.eml', msg('long-header', extra='X-Long: ' + 'a' * (2 * 1024 * 1024) + '\n'))
write('nul-bytes.eml', msg('nul-bytes', body='before\0\0\0after\n'))
write('broken-boundary.eml', msg('broken-boundary', extra='MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"\n',
      body='--XYZ\nContent-Type: text/plain\n\nfirst part, never closed\n'))
write('bad-base64.eml', msg('bad-base64', extra='Content-Type: text/plain\nContent-Transfer-Encoding: base64\n',
      body='SGVsbG8g!!!d29y#bGQ=\n'))
# a file name that is not valid UTF-8
with open(os.path.join(out.encode(), b'latin1-\xe9t\xe9.eml'), 'wb') as f:
    f.write(msg('bad-filename'))
