#!/usr/bin/env python3
"""Builds demo/sample-dump.zip and demo/keys.txt: a small, entirely fictional leaked-mailbox dump for `trove demo`.

Campaign "Horizon" (horizon.example) a few days before a run-off. Deterministic: fixed
timestamps, sorted members, so the zip is byte-identical on every run.
Run with Debian's python3 (/usr/bin/python3, package python3-dkim): the campaign's messages are
DKIM-signed with a fresh 2048-bit key whose public half goes to demo/keys.txt (the private key
is thrown away), so the demo shows a verified message, its doctored copy (tampered) and a
forwarded copy. The zip is regenerated with a new key on each run.
Contents: a maildir (two users, cur/new), an mbox with a `>From ` line, loose .eml files
(windows-1252 French with a PDF-like attachment, KOI8-R Russian, a forwarded message,
a phishing mail from a lookalike domain), a byte-identical duplicate, a divergent copy
of a message (same Message-ID, altered amount), a non-mail file and an empty file.
"""
import base64, os, subprocess, tempfile, zipfile
import dkim
from email.header import Header

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'sample-dump.zip')

with tempfile.TemporaryDirectory() as tmp:
    pem = os.path.join(tmp, 'k.pem')
    subprocess.run(['openssl', 'genrsa', '-out', pem, '2048'], check=True, capture_output=True)
    PRIVATE = open(pem, 'rb').read()
    pub = subprocess.run(['openssl', 'rsa', '-in', pem, '-pubout', '-outform', 'DER'], check=True, capture_output=True).stdout
with open(os.path.join(HERE, 'keys.txt'), 'w') as f:
    f.write('# DKIM key of the fictional campaign (horizon.example), archived when the dump landed\n')
    f.write('may2017._domainkey.horizon.example v=DKIM1; k=rsa; p=' + base64.b64encode(pub).decode() + '\n')

def sign(m):
    crlf = m.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    sig = dkim.sign(crlf, b'may2017', b'horizon.example', PRIVATE, include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
    return sig + crlf
T = (2017, 5, 3, 12, 0, 0)

def msg(headers, body, charset='utf-8'):
    h = ''.join(f'{k}: {v}\n' for k, v in headers)
    return h.encode('ascii') + b'\n' + (body if isinstance(body, bytes) else body.encode(charset))

budget = msg([
    ('Return-Path', '<alice@horizon.example>'),
    ('Received', 'from mail.horizon.example (mail.horizon.example [192.0.2.10]) by mx.horizon.example with ESMTPS id 4A1B2; Wed, 3 May 2017 09:14:02 +0200'),
    ('Message-ID', '<20170503071401.4821@horizon.example>'),
    ('Date', 'Wed, 3 May 2017 09:14:01 +0200'),
    ('From', 'Alice Martin <alice@horizon.example>'),
    ('To', 'Bob Durand <bob@horizon.example>'),
    ('Subject', 'Budget meeting Thursday'),
    ('MIME-Version', '1.0'),
    ('Content-Type', 'text/plain; charset=utf-8'),
], 'Bob,\n\nThe budget meeting is moved to Thursday 10:00. Final figure for the rally: 48,500 EUR.\n\nAlice\n')

budget = sign(budget)
budget_fake = budget.replace(b'48,500 EUR', b'148,500 EUR (cash, do not declare)')

note = b'Note de frais jointe. Montant : 1 250 \x80, r\xe9gl\xe9 par ch\xe8que.\n\nCordialement,\nC\xe9line\n'
pdf = b'%PDF-1.4\n% sample\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
expense = ('Message-ID: <expense-0412@horizon.example>\n'
    'Date: Tue, 2 May 2017 17:40:00 +0200\n'
    'From: =?windows-1252?Q?C=E9line_Lef=E8vre?= <celine@horizon.example>\n'
    'To: compta@horizon.example\n'
    'Subject: =?windows-1252?Q?Note_de_frais_=96_d=E9placement_Lyon?=\n'
    'MIME-Version: 1.0\n'
    'Content-Type: multipart/mixed; boundary="b1"\n\n'
    '--b1\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit\n\n').encode('ascii') + note + (
    '\n--b1\nContent-Type: application/pdf; name="frais-lyon.pdf"\nContent-Disposition: attachment; filename="frais-lyon.pdf"\n'
    'Content-Transfer-Encoding: base64\n\n' + base64.encodebytes(pdf).decode('ascii') + '--b1--\n').encode('ascii')

russian = msg([
    ('Message-ID', '<ru-77@mailbox.example>'),
    ('Date', 'Thu, 4 May 2017 02:11:09 +0300'),
    ('From', Header('Иван', 'koi8-r').encode() + ' <ivan@mailbox.example>'),
    ('To', 'bob@horizon.example'),
    ('Subject', Header('Документы', 'koi8-r').encode()),
    ('MIME-Version', '1.0'),
    ('Content-Type', 'text/plain; charset=koi8-r'),
    ('Content-Transfer-Encoding', '8bit'),
], 'Документы готовы. Пароль пришлю отдельно.\n', 'koi8-r')

phish = msg([
    ('Message-ID', '<a81f@onedrive-horizon.example>'),
    ('Date', 'Mon, 24 Apr 2017 08:02:44 +0000'),
    ('From', 'OneDrive Horizon <no-reply@onedrive-horizon.example>'),
    ('To', 'alice@horizon.example'),
    ('Subject', '=?utf-8?Q?Document_partag=C3=A9_:_Programme=5Ffinal.docx?='),
    ('MIME-Version', '1.0'),
    ('Content-Type', 'text/html; charset=utf-8'),
], '<p>Un document a été partagé avec vous.</p><p><a href="https://onedrive-horizon.example/login">Ouvrir</a></p><img src="https://tracker.onedrive-horizon.example/p.gif">')

forward = ('Message-ID: <fwd-9@horizon.example>\nDate: Wed, 3 May 2017 10:00:00 +0200\n'
    'From: Bob Durand <bob@horizon.example>\nTo: press@horizon.example\nSubject: Fwd: Budget meeting Thursday\n'
    'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="fw"\n\n--fw\nContent-Type: text/plain\n\nSee below.\n\n'
    '--fw\nContent-Type: message/rfc822\n\n').encode('ascii') + budget + b'\n--fw--\n'

def reply(i, frm, to, subj, body, refs=None):
    hs = [('Message-ID', f'<thread-{i}@horizon.example>'), ('Date', f'Fri, 5 May 2017 1{i}:00:00 +0200'),
          ('From', frm), ('To', to), ('Subject', subj)]
    if refs:
        hs += [('In-Reply-To', refs[-1]), ('References', ' '.join(refs))]
    return msg(hs, body)

t1 = reply(1, 'bob@horizon.example', 'alice@horizon.example', 'Silence period', 'When does the silence period start?\n')
t2 = reply(2, 'alice@horizon.example', 'bob@horizon.example', 'Re: Silence period', 'Friday midnight.\n', ['<thread-1@horizon.example>'])
t3 = reply(3, 'bob@horizon.example', 'alice@horizon.example', 'Re: Silence period', 'Thanks.\nFrom now on, no press.\n', ['<thread-1@horizon.example>', '<thread-2@horizon.example>'])

mbox = b''.join(b'From press@horizon.example Fri May  5 1%d:00:00 2017\n' % i + m.replace(b'\nFrom now', b'\n>From now') + b'\n' for i, m in ((1, t1), (2, t2), (3, t3)))

members = [
    ('dump/maildir/alice/cur/1493795641.M1P1.mx:2,S', budget),
    ('dump/maildir/alice/new/1493593364.M2P1.mx', phish),
    ('dump/maildir/bob/cur/1493795641.M1P2.mx:2,S', budget),
    ('dump/maildir/bob/cur/1493856669.M3P2.mx:2,RS', russian),
    ('dump/maildir/bob/cur/1493798400.M4P2.mx:2,S', forward),
    ('dump/lists/press.mbox', mbox),
    ('dump/loose/note-de-frais.eml', expense),
    ('dump/loose/budget-copy.eml', budget_fake),
    ('dump/loose/README.txt', b'Leaked via pastebin. Good luck.\n'),
    ('dump/loose/empty.eml', b''),
]
with zipfile.ZipFile(OUT, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, data in sorted(members):
        zi = zipfile.ZipInfo(name, T)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        z.writestr(zi, data)
print(OUT, os.path.getsize(OUT))
