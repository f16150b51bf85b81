/**
 * The mailer model's sample counts at their limits: a group judges a shape with exactly the
 * minimum of other samples and not with one fewer, the judged message never counts for itself,
 * and one other message with the same shape accepts it.
 */
import { describe, expect, it } from 'vitest';
import type { Fingerprint } from './fingerprint.ts';
import { MAILER_MIN_SAMPLES, MailerModel } from './mailer-model.ts';

const fp = (messageId: string): Fingerprint => ({
  domain: 'en-marche.fr',
  mailer: 'outlook/16',
  mailerText: 'Microsoft Outlook 16.0',
  messageId,
  messageIdHost: 'en-marche.fr',
  boundary: null,
  order: [],
  msHeaders: '',
});

const OUTLOOK = '{hex32}@en-marche.fr';
const GMAIL = 'CA{alnum}@mail.gmail.com';

function model(verified: number, extra: Fingerprint[] = []): MailerModel {
  const m = new MailerModel();
  for (let i = 0; i < verified; i++) m.learn(fp(OUTLOOK), 'verified');
  for (const e of extra) m.learn(e, 'verified');
  return m;
}

describe('mailer model sample counts', () => {
  const min = MAILER_MIN_SAMPLES.verified;

  it('judges with exactly the minimum of verified samples, not with one fewer', () => {
    const odd = fp(GMAIL);
    const at = model(min);
    at.learn(odd, 'unverifiable');
    const f = at.judge(odd, 'unverifiable');
    expect(f?.severity).toBe('warning');
    expect(f?.detail).toContain(`never seen in the ${min} verified messages`);

    const below = model(min - 1);
    below.learn(odd, 'unverifiable');
    expect(below.judge(odd, 'unverifiable')).toBeNull();
  });

  it('does not count the judged message for itself, and accepts a shape another message has', () => {
    // a verified message is learned in the verified group too: without it, min others remain
    const odd = fp(GMAIL);
    const alone = model(min, [odd]);
    const f = alone.judge(odd, 'verified');
    expect(f?.detail).toContain(`never seen in the ${min} verified messages`);
    // one more verified message with the same shape: it is the group's own
    const twice = model(min, [odd, fp(GMAIL)]);
    expect(twice.judge(odd, 'verified')).toBeNull();
    // and an ordinary message of the group is never flagged
    expect(model(min).judge(fp(OUTLOOK), 'unverifiable')).toBeNull();
  });
});
