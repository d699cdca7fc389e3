import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  canonicalOrNull,
  hashAuditEntry,
  hashCanonicalEntry,
} from './canonicalJson';

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops undefined', () => {
    expect(
      canonicalJson({
        b: [3, { z: 1, a: 'x' }],
        a: { d: undefined, c: null, é: true, B: 2 },
      }),
    ).toBe('{"a":{"B":2,"c":null,"é":true},"b":[3,{"a":"x","z":1}]}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('line\nbreak "quoted"')).toBe(
      '"line\\nbreak \\"quoted\\""',
    );
  });

  it('gives the same text for the same value written in any key order', () => {
    const one = { title: 't', parameters: { b: 1, a: 2 }, version: 3 };
    const other = { version: 3, parameters: { a: 2, b: 1 }, title: 't' };
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });
});

describe('hashAuditEntry', () => {
  const entry = {
    id: 1,
    subject: 'rfc:RFC-000001',
    subjectSeq: 1,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'user:default/ana',
    action: 'create' as const,
    before: null,
    after: { status: 'Editing' },
    details: { toStatus: 'Editing' },
    prevHash: null,
    prevSubjectHash: null,
  };

  // Entries already written carry hashes made this way: the algorithm must
  // not change under them.
  it('is SHA-256 of the canonical JSON of every field but the hash', () => {
    const text =
      '{"action":"create","actor":"user:default/ana","after":{"status":"Editing"},"at":"2026-01-01T00:00:00.000Z","before":null,"details":{"toStatus":"Editing"},"id":1,"prevHash":null,"prevSubjectHash":null,"subject":"rfc:RFC-000001","subjectSeq":1}';
    expect(hashAuditEntry(entry)).toBe(
      createHash('sha256').update(text).digest('hex'),
    );
  });

  it.each([
    ['id', 2],
    ['subjectSeq', 2],
    ['at', '2026-01-01T00:00:00.001Z'],
    ['actor', 'user:default/omar'],
    ['after', { status: 'Scheduled' }],
    ['details', null],
    ['prevHash', 'a'.repeat(64)],
    ['prevSubjectHash', 'a'.repeat(64)],
  ])('changes when %s changes', (field, value) => {
    expect(hashAuditEntry({ ...entry, [field]: value })).not.toBe(
      hashAuditEntry(entry),
    );
  });
});

describe('hashCanonicalEntry', () => {
  it('gives the hash verification recomputes, for any states', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.nat(),
          subjectSeq: fc.nat(),
          subject: fc.string(),
          at: fc.string(),
          actor: fc.string(),
          action: fc.constantFrom('create' as const, 'approve' as const),
          prevHash: fc.option(fc.string(), { nil: null }),
          prevSubjectHash: fc.option(fc.string(), { nil: null }),
        }),
        fc.jsonValue(),
        fc.jsonValue(),
        fc.option(fc.jsonValue(), { nil: null }),
        (fields, before, after, details) => {
          const text = {
            before: canonicalOrNull(before),
            after: canonicalOrNull(after),
            details: canonicalOrNull(details),
          };
          // What an entry holds once read back from its stored text.
          const read = (t: string | null) =>
            t === null ? null : JSON.parse(t);
          expect(hashCanonicalEntry(fields, text)).toBe(
            hashAuditEntry({
              ...fields,
              before: read(text.before),
              after: read(text.after),
              details: read(text.details),
            }),
          );
        },
      ),
    );
  });
});
