/**
 * Byte-level mutations of seed inputs for fast-check: byte flips, truncation, duplicated lines
 * (header lines when the position falls in the header), MIME boundary damage, huge lines,
 * inserted and deleted ranges. Each mutation is a plain record, so fast-check can shrink a
 * failing case to a short list of small edits on one seed.
 */
import fc from 'fast-check';

export type Mutation =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'truncate'; at: number }
  | { op: 'dup-line'; at: number; times: number }
  | { op: 'boundary'; nth: number; how: number }
  | { op: 'huge-line'; at: number; len: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number };

/**
 * A fraction in [min, max), spread evenly: fc.double is biased to extreme values (denormals near
 * 0), which put most "random" positions on byte 0.
 */
export function fraction(min = 0, max = 1): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 999_999 }).map((n) => min + ((max - min) * n) / 1_000_000);
}

/** Positions are fractions in [0, 1) of the current length, so they survive earlier edits. */
const at = fraction();
/** Bytes that matter to mail parsers, plus anything. */
const interesting = fc.oneof(
  fc.constantFrom(0x0a, 0x0d, 0x20, 0x09, 0x3a, 0x3b, 0x3d, 0x2d, 0x22, 0x3c, 0x3e, 0x00, 0xff, 0x3f),
  fc.integer({ min: 0, max: 255 }),
);

export function mutationArb(maxHuge = 64 * 1024): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at, byte: interesting }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('dup-line' as const), at: fraction(0, 0.3), times: fc.integer({ min: 1, max: 50 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('boundary' as const), nth: fc.nat(20), how: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('huge-line' as const), at, len: fc.integer({ min: 1000, max: maxHuge }), byte: fc.constantFrom(0x78, 0x3d, 0x20, 0x2d) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at, bytes: fc.uint8Array({ maxLength: 40 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at, bytes: fc.constantFrom(...['\r\n\r\n', '\n--', '--\r\n', '=?utf-8?B?', '?=', 'Content-Type: multipart/mixed; boundary=x\r\n', '\nFrom a@b Mon Jan  2 10:00:00 2006\n', 'Content-Length: 999999\n', '=\r\n', '\u0000'].map((s) => Buffer.from(s, 'latin1'))) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at, len: fc.integer({ min: 1, max: 200 }) }) },
  );
}

const pos = (f: number, len: number) => Math.min(len, Math.floor(f * (len + 1)));

/** Inputs never grow past this: repeated duplication of a huge line would otherwise reach GBs. */
export const MAX_INPUT_BYTES = 1024 * 1024;

export function applyMutation(input: Buffer, m: Mutation): Buffer {
  const out = mutate(input, m);
  return out.length > MAX_INPUT_BYTES ? input : out;
}

function mutate(input: Buffer, m: Mutation): Buffer {
  const n = input.length;
  switch (m.op) {
    case 'flip': {
      if (n === 0) return input;
      const out = Buffer.from(input);
      out[Math.min(n - 1, pos(m.at, n))] = m.byte;
      return out;
    }
    case 'truncate':
      return input.subarray(0, pos(m.at, n));
    case 'dup-line': {
      const p = pos(m.at, n);
      const s = p === 0 ? 0 : input.lastIndexOf(0x0a, p - 1) + 1;
      let e = input.indexOf(0x0a, p);
      e = e === -1 ? n : e + 1;
      const line = input.subarray(s, e);
      return Buffer.concat([input.subarray(0, e), ...Array.from({ length: m.times }, () => line), input.subarray(e)]);
    }
    case 'boundary': {
      // the nth line starting with "--": drop its dashes, cut it, make it a close delimiter,
      // add trailing junk, swap CRLF for LF, or double it
      let p = -1;
      let from = 0;
      for (let k = 0; k <= m.nth; k++) {
        const i = input.indexOf('\n--', from);
        if (i === -1) break;
        p = i + 1;
        from = i + 1;
      }
      if (p < 0) return input;
      let e = input.indexOf(0x0a, p);
      e = e === -1 ? n : e;
      const line = input.subarray(p, e).toString('latin1');
      const repl = [line.slice(2), line.slice(0, Math.max(2, line.length >> 1)), line.replace(/\r?$/, '--'), line + 'junk', line.replace(/\r$/, ''), line + '\n' + line][m.how];
      return Buffer.concat([input.subarray(0, p), Buffer.from(repl, 'latin1'), input.subarray(e)]);
    }
    case 'huge-line': {
      const p = pos(m.at, n);
      return Buffer.concat([input.subarray(0, p), Buffer.alloc(m.len, m.byte), input.subarray(p)]);
    }
    case 'insert': {
      const p = pos(m.at, n);
      return Buffer.concat([input.subarray(0, p), m.bytes, input.subarray(p)]);
    }
    case 'delete': {
      const p = pos(m.at, n);
      return Buffer.concat([input.subarray(0, p), input.subarray(Math.min(n, p + m.len))]);
    }
  }
}

/** A seed chosen from `seeds`, then 0..maxEdits mutations applied in order. */
export function mutatedInput(seeds: readonly Buffer[], maxEdits = 6, maxHuge?: number): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.nat(seeds.length - 1), fc.array(mutationArb(maxHuge), { maxLength: maxEdits }))
    .map(([i, ms]) => ms.reduce((b, m) => applyMutation(b, m), seeds[i]));
}
