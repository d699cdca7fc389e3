/**
 * Malformed input never reaches the database: property-based tests that send
 * generated malformed requests to every write route of `/api/ops` (and the
 * query strings and cursors of the list routes) on SQLite and PostgreSQL,
 * and require of each answer that it is a 4xx with an error message, and
 * that no `ops_*` table gained or lost a row.
 *
 * Every request is a well-formed one (accepted by the route: see the last
 * test of each database) with one thing made wrong: a field missing, one
 * too many, of the wrong type or too long, a body above the size limit
 * (413), nested too deep, with a NUL or another control character, an
 * unpaired surrogate or other Unicode edge cases, SQL-like text where an id,
 * enum or time belongs, an id beyond the database key's range, a forged
 * list cursor, or a field named like a property of Object.prototype.
 *
 * The runs are seeded, so a failure repeats with the same request; fast-check
 * prints the seed and the first failing request. CI sends 600 requests per
 * database, in about 10-20 s. For a longer run (a few minutes per 10,000
 * requests and database) set OPS_FUZZ_RUNS, and OPS_FUZZ_SEED for other
 * requests than CI's, from plugins/ops-backend:
 *
 *   OPS_FUZZ_RUNS=10000 OPS_FUZZ_SEED=7 yarn test src/tests/malformedInput.property.test.ts
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CHANGE_TYPE_ANNOTATIONS,
  CHANGE_TYPE_RISKS,
  INCIDENT_PRIORITIES,
  MAX_RECORD_SEQUENCE,
  PROBLEM_STATUSES,
  RFC_STATUSES,
  SERVICE_REQUEST_STATUSES,
  SERVICE_REQUEST_TOPICS,
} from '@cloud-ops/plugin-ops-common';
import fc from 'fast-check';
import type { Knex } from 'knex';
import request from 'supertest';
import { DatabaseIncidentStore } from '../database/IncidentStore';
import { opsPlugin } from '../plugin';
import { MAX_REQUEST_DEPTH } from '../router';

const RUNS = Number(process.env.OPS_FUZZ_RUNS) || 600;
const SEED = Number(process.env.OPS_FUZZ_SEED) || 20261201;

// A request takes 5-20 ms; long runs get the time they need.
jest.setTimeout(60_000 + RUNS * 50);
/** The body limit of the routes, 100kb. */
const BODY_LIMIT = 100 * 1024;

const CENTRAL_IT = 'group:default/central-it';
const PAYMENTS = 'group:default/payments';
const GROUPS: Record<string, string[]> = {
  'user:default/ana': [PAYMENTS],
  'user:default/omar': [CENTRAL_IT],
};

type Who = 'ana' | 'omar' | 'service' | 'nobody';
const authorization = (who: Who) => {
  if (who === 'service') return mockCredentials.service.header();
  if (who === 'nobody') return undefined;
  return mockCredentials.user.header(`user:default/${who}`);
};

// ---------------------------------------------------------------------------
// The portal the requests go to: one team, Central IT and one change type.

const TRUSTED = {
  'backstage.io/managed-by-origin-location': 'url:https://types.test/all.yaml',
  'backstage.io/managed-by-location': 'url:https://types.test/t.yaml',
};

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default' },
    spec: { type: 'service', lifecycle: 'production', owner: PAYMENTS },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'payments', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'central-it', namespace: 'default' },
    spec: { type: 'team', children: [] },
  },
  ...Object.entries(GROUPS).map(
    ([ref, groups]): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: ref.split('/')[1], namespace: 'default' },
      spec: { memberOf: groups },
      relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
    }),
  ),
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 'ec2-restart',
      namespace: 'default',
      annotations: {
        ...TRUSTED,
        [CHANGE_TYPE_ANNOTATIONS.id]: 'ec2-restart',
        [CHANGE_TYPE_ANNOTATIONS.version]: '1.0',
        [CHANGE_TYPE_ANNOTATIONS.classification]:
          'Management/Compute/EC2 instance/Restart',
        [CHANGE_TYPE_ANNOTATIONS.automation]: 'manual',
        [CHANGE_TYPE_ANNOTATIONS.approval]: 'by-origin',
        [CHANGE_TYPE_ANNOTATIONS.expectedDuration]: 'PT30M',
        [CHANGE_TYPE_ANNOTATIONS.risk]: 'medium',
      },
    },
    spec: {
      type: 'change',
      owner: CENTRAL_IT,
      parameters: {
        required: ['instanceCount'],
        properties: {
          instanceCount: { type: 'integer', minimum: 1, maximum: 10 },
          reason: { type: 'string', maxLength: 100 },
        },
      },
      steps: [
        {
          id: 'rfc',
          action: 'ops:rfc:create',
          input: {
            changeTypeId: 'ec2-restart',
            parameters: '${{ parameters }}',
          },
        },
      ],
    },
  },
];

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials: any) {
    const ref = credentials.principal.userEntityRef as string;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
    };
  },
});

const inDays = (days: number) =>
  new Date(Date.now() + days * 86_400_000).toISOString();

const rfcBody = () => ({
  changeTypeId: 'ec2-restart',
  title: 'Restart payments-api instances',
  description: 'Memory leak; restart until the fix ships',
  targetEntityRef: 'component:default/payments-api',
  parameters: { instanceCount: 2, reason: 'memory leak' },
  implementationPlan: 'Restart one instance at a time',
  testPlan: 'Rehearsed in staging',
  rollbackPlan: 'Nothing to roll back',
  requestedStartTime: inDays(3),
});

const freezeBody = () => ({
  name: 'Year-end freeze',
  reason: 'Closing the books',
  start: '2030-12-24T18:00',
  end: '2030-12-27T08:00',
  timezone: 'Europe/Berlin',
  scope: { type: 'global' },
});

// ---------------------------------------------------------------------------
// What each route reads.

type Field =
  | { kind: 'text'; max: number; required?: boolean; nullable?: boolean }
  | { kind: 'integer'; required?: boolean }
  | { kind: 'boolean' }
  | { kind: 'object'; required?: boolean }
  | { kind: 'enum'; values: readonly string[]; required?: boolean }
  | { kind: 'time'; required?: boolean; nullable?: boolean }
  | { kind: 'localTime'; required?: boolean }
  | { kind: 'timezone' };

const text = (
  max: number,
  more: { required?: boolean; nullable?: boolean } = {},
) => ({ kind: 'text', max, ...more } as const);
const required = { required: true };
const version: Field = { kind: 'integer', required: true };

type IdKind = 'RFC' | 'INC' | 'PRB' | 'SR' | 'FRZ' | 'token';

type WriteRoute = {
  name: string;
  method: 'post' | 'patch' | 'put' | 'delete';
  /** The path, `:id` for the record's id. */
  path: string;
  id?: IdKind;
  as: Who;
  /** The body's fields; absent when the route reads no body at all. */
  fields?: Record<string, Field>;
  /** A body the route accepts. */
  body?: () => Record<string, unknown>;
};

type Seeded = Record<IdKind, string>;

const rfcFields: Record<string, Field> = {
  changeTypeId: text(255, required),
  changeTypeVersion: text(64),
  title: text(255, required),
  description: text(20_000, required),
  targetEntityRef: text(255, required),
  parameters: { kind: 'object' },
  implementationPlan: text(20_000, required),
  testPlan: text(20_000, required),
  peerReviewer: text(255),
  rollbackPlan: text(20_000, required),
  risk: { kind: 'enum', values: CHANGE_TYPE_RISKS },
  requestedStartTime: { kind: 'time' },
  requestedEndTime: { kind: 'time' },
  emergency: { kind: 'object' },
  submit: { kind: 'boolean' },
};

const freezeFields: Record<string, Field> = {
  name: text(200, required),
  reason: text(2_000, required),
  start: { kind: 'localTime', required: true },
  end: { kind: 'localTime', required: true },
  timezone: { kind: 'timezone' },
  scope: { kind: 'object', required: true },
};

const WRITE_ROUTES: WriteRoute[] = [
  {
    name: 'create an RFC',
    method: 'post',
    path: '/rfcs',
    as: 'ana',
    fields: rfcFields,
    body: () => ({ ...rfcBody(), submit: false }),
  },
  {
    name: 'change an RFC',
    method: 'patch',
    path: '/rfcs/:id',
    id: 'RFC',
    as: 'ana',
    fields: {
      version,
      title: text(255),
      description: text(20_000),
      parameters: { kind: 'object' },
      implementationPlan: text(20_000),
      testPlan: text(20_000),
      peerReviewer: text(255, { nullable: true }),
      rollbackPlan: text(20_000),
      risk: { kind: 'enum', values: CHANGE_TYPE_RISKS },
      requestedStartTime: { kind: 'time', nullable: true },
      requestedEndTime: { kind: 'time', nullable: true },
    },
    body: () => ({
      version: 1,
      title: 'Restart the API instances',
      parameters: { instanceCount: 3, reason: 'still leaking' },
    }),
  },
  ...(
    [
      ['submit', 'ana', { freezeOverrideReason: text(5_000) }, {}],
      ['approve', 'omar', { comment: text(5_000) }, { comment: 'Fine' }],
      [
        'reject',
        'omar',
        { comment: text(5_000, required) },
        { comment: 'Not now' },
      ],
      ['cancel', 'ana', { reason: text(5_000) }, { reason: 'Not needed' }],
      ['start', 'omar', {}, {}],
      [
        'complete',
        'omar',
        {
          outcome: {
            kind: 'enum',
            values: ['Success', 'Failure'],
            required: true,
          },
          outcomeNotes: text(20_000),
        },
        { outcome: 'Success', outcomeNotes: 'Restarted' },
      ],
      ['retry', 'omar', { reason: text(5_000) }, {}],
      [
        'review',
        'ana',
        {
          whatHappened: text(8_000, required),
          rootCause: text(8_000, required),
          followUp: text(8_000, required),
        },
        { whatHappened: 'Leak', rootCause: 'Cache', followUp: 'Bound it' },
      ],
    ] as Array<[string, Who, Record<string, Field>, Record<string, unknown>]>
  ).map(
    ([action, as, fields, body]): WriteRoute => ({
      name: `${action} an RFC`,
      method: 'post',
      path: `/rfcs/:id/${action}`,
      id: 'RFC',
      as,
      fields: { version, ...fields },
      body: () => ({ version: 1, ...body }),
    }),
  ),
  {
    name: 'verify an execution',
    method: 'post',
    path: '/executions/verify',
    as: 'service',
    fields: {
      rfcId: text(32, required),
      secret: text(512, required),
      taskId: text(255, required),
    },
    body: () => ({ rfcId: 'RFC-000001', secret: 's3cret', taskId: 'task-1' }),
  },
  {
    name: 'report execution outputs',
    method: 'post',
    path: '/executions/outputs',
    as: 'service',
    fields: {
      rfcId: text(32, required),
      secret: text(512, required),
      taskId: text(255, required),
      stepId: text(255, required),
      outputs: { kind: 'object', required: true },
    },
    body: () => ({
      rfcId: 'RFC-000001',
      secret: 's3cret',
      taskId: 'task-1',
      stepId: 'restart',
      outputs: { commandId: 'cmd-1' },
    }),
  },
  {
    name: 'resolve an incident',
    method: 'post',
    path: '/incidents/:id/resolve',
    id: 'INC',
    as: 'omar',
    fields: { notes: text(20_000, required) },
    body: () => ({ notes: 'Restarted the instance' }),
  },
  {
    name: 'update a problem',
    method: 'patch',
    path: '/problems/:id',
    id: 'PRB',
    as: 'omar',
    fields: {
      version,
      status: { kind: 'enum', values: PROBLEM_STATUSES },
      rootCause: text(20_000),
      remediation: text(20_000),
    },
    body: () => ({ version: 1, rootCause: 'A leaking cache' }),
  },
  {
    name: 'open a service request',
    method: 'post',
    path: '/service-requests',
    as: 'ana',
    fields: {
      title: text(200, required),
      topic: { kind: 'enum', values: SERVICE_REQUEST_TOPICS, required: true },
      body: text(10_000, required),
      team: text(255),
      entityRef: text(255),
    },
    body: () => ({
      title: 'Which AMIs are approved?',
      topic: 'central-it',
      body: 'We need Graviton images.',
    }),
  },
  {
    name: 'reply to a service request',
    method: 'post',
    path: '/service-requests/:id/messages',
    id: 'SR',
    as: 'ana',
    fields: { body: text(10_000, required), version },
    body: () => ({ body: 'Any news?', version: 1 }),
  },
  {
    name: 'close a service request',
    method: 'post',
    path: '/service-requests/:id/close',
    id: 'SR',
    as: 'ana',
    fields: { version, reason: text(10_000) },
    body: () => ({ version: 1, reason: 'Answered elsewhere' }),
  },
  {
    name: 'declare a freeze',
    method: 'post',
    path: '/freezes',
    as: 'omar',
    fields: freezeFields,
    body: freezeBody,
  },
  {
    name: 'change a freeze',
    method: 'put',
    path: '/freezes/:id',
    id: 'FRZ',
    as: 'omar',
    fields: { version, ...freezeFields },
    body: () => ({ version: 1, ...freezeBody(), name: 'Year-end freeze 2030' }),
  },
  {
    name: 'lift a freeze',
    method: 'post',
    path: '/freezes/:id/lift',
    id: 'FRZ',
    as: 'omar',
    fields: { version },
    body: () => ({ version: 1 }),
  },
  {
    name: 'issue a feed token',
    method: 'post',
    path: '/calendar/feed-tokens',
    as: 'ana',
    fields: { label: text(255, required), owner: text(255) },
    body: () => ({ label: 'Phone' }),
  },
  // These two read no body: only what every route refuses applies.
  {
    name: 'revoke a feed token',
    method: 'delete',
    path: '/calendar/feed-tokens/:id',
    id: 'token',
    as: 'ana',
  },
  {
    name: 'refresh operations data',
    method: 'post',
    path: '/entities/component/default/payments-api/operations/refresh',
    as: 'ana',
  },
];

// ---------------------------------------------------------------------------
// Malformed values.

const CONTROL = [
  0x00, 0x01, 0x02, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x10, 0x1b, 0x1f,
].map(c => String.fromCharCode(c));
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];
/** Valid Unicode that is still no id, number, enum value or time. */
const UNICODE = [
  '😀',
  '👩‍👩‍👧',
  'e\u0301',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\uffff',
  '\u2028',
  'İ',
  'ß',
  '字',
  '١٢٣٤٥٦',
  '１２３４５６',
  '\u00a0',
  'Ω',
];
const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE ops_rfcs; --",
  '1; DELETE FROM ops_audit_log',
  "' UNION SELECT * FROM ops_rfcs --",
  "RFC-000001' --",
  '" OR ""="',
  '%',
  '$1',
  '?',
  '::int',
  '\\N',
  "E'\\x00'",
  '/* */',
];
const PROTOTYPE_KEYS = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__proto__',
  '__defineGetter__',
  '__lookupSetter__',
];

const weirdText = fc.oneof(
  fc.constantFrom(...SQL),
  fc.constantFrom(...UNICODE),
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
);

const nonString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), {
    maxKeys: 3,
  }),
);

/** Numbers no record has, and no version reaches. */
const outOfRangeNumbers = fc.oneof(
  fc.integer({ min: MAX_RECORD_SEQUENCE + 1, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e20, 1e300),
);

/** A value of another type than the field's, or one it refuses. */
function wrongValue(field: Field): fc.Arbitrary<unknown> {
  const orNull = (arb: fc.Arbitrary<unknown>) =>
    'nullable' in field && field.nullable
      ? arb
      : fc.oneof(arb, fc.constant(null));
  switch (field.kind) {
    case 'text':
      return orNull(nonString);
    case 'integer':
      return orNull(
        fc.oneof(
          fc
            .double({ noNaN: true, noDefaultInfinity: true })
            .filter(d => !Number.isInteger(d)),
          fc.integer({ max: 0 }),
          outOfRangeNumbers,
          fc.constantFrom('1', '１', ' 1', '1e0', "1' OR '1'='1"),
          fc.boolean(),
          fc.constant([1]),
          fc.constant({ version: 1 }),
        ),
      );
    case 'boolean':
      return orNull(
        fc.oneof(
          fc.constantFrom('true', 'false', 1, 0, [true], { value: true }),
          weirdText,
        ),
      );
    case 'object':
      return orNull(
        fc.oneof(
          weirdText,
          fc.integer(),
          fc.boolean(),
          fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        ),
      );
    case 'enum':
      return orNull(
        fc.oneof(
          weirdText.filter(v => !field.values.includes(v)),
          fc
            .constantFrom(
              ...field.values.flatMap(v => [
                v.toUpperCase(),
                ` ${v}`,
                `${v}\u200b`,
                `${v}'--`,
              ]),
            )
            .filter(v => !field.values.includes(v)),
          nonString,
        ),
      );
    case 'time':
      return orNull(
        fc.oneof(
          fc.constantFrom(
            'tomorrow',
            '2026-13-01T10:00:00Z',
            '2026-02-30T10:00:00Z',
            '2026-03-01',
            '2026-03-01T10:00:00',
            '2026-03-01T25:00:00Z',
            '２０２６-03-01T10:00:00Z',
            "2026-03-01T10:00:00Z' OR '1'='1",
          ),
          fc.constantFrom(...SQL),
          nonString,
        ),
      );
    case 'localTime':
      return fc.oneof(
        fc.constantFrom(
          '2030-12-24 18:00',
          '2030-12-24T24:00',
          '2030-02-30T10:00',
          '2030-12-24',
          '18:00',
          '2030-12-24T18:00Z',
          '２０３０-12-24T18:00',
        ),
        fc.constantFrom(...SQL),
        nonString,
        fc.constant(null),
      );
    case 'timezone':
      return fc.oneof(
        fc.constantFrom(
          'Europe/Atlantis',
          'Mars/Olympus_Mons',
          'Etc/GMT+25',
          '+99:00',
          'UTC\u200b',
        ),
        fc.constantFrom(...SQL),
        nonString,
        fc.constant(null),
      );
    default:
      throw new Error('unknown field kind');
  }
}

// ---------------------------------------------------------------------------
// Requests.

type Expect = { status: number; message: RegExp };
type Case = {
  /** What was made wrong, for the failure report. */
  what: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  query?: string;
  /** The raw request body, sent as application/json. */
  body?: string;
  as: Who;
  /** When the problem is one the input guard answers, exactly how. */
  expect?: Expect;
};

const GUARD = {
  control: {
    status: 400,
    message: /must not contain control characters such as NUL/,
  },
  surrogate: { status: 400, message: /must be valid Unicode text/ },
  deep: {
    status: 400,
    message: new RegExp(`nests deeper than ${MAX_REQUEST_DEPTH} levels`),
  },
  proto: { status: 400, message: /__proto__.*not a field name/ },
  tooLarge: {
    status: 413,
    message: /request body: must be at most 102400 bytes/,
  },
  outOfRange: { status: 400, message: /^id: ".*" is out of range/ },
  json: { status: 400, message: /^Invalid request body: not valid JSON/ },
  version: {
    status: 400,
    message: /^Invalid request body: version: .* is out of range/,
  },
};

const GUARD_MESSAGES = Object.values(GUARD).map(e => e.message);

/** Percent-encodes a path segment; dots too, so no segment is `.` or `..`. */
const segment = (value: string) =>
  encodeURIComponent(value).replace(/\./g, '%2E');

/** An object with the entries of `object` and `key` set to `value`. */
function withEntry(
  object: Record<string, unknown>,
  key: string,
  value: unknown,
) {
  // fromEntries defines own properties, so `__proto__` stays a field.
  return Object.fromEntries([
    ...Object.entries(object).filter(([k]) => k !== key),
    [key, value],
  ]);
}

/** Every string in a JSON value, by path. */
function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === 'string') return [path];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    stringPaths(v, [...path, k]),
  );
}

function setPath(value: unknown, path: string[], to: unknown): unknown {
  if (!path.length) return to;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[Number(head)] = setPath(copy[Number(head)], rest, to);
    return copy;
  }
  const object = value as Record<string, unknown>;
  return withEntry(object, head, setPath(object[head], rest, to));
}

/** `text` with `insert` placed somewhere in it. */
const inserted = (insert: fc.Arbitrary<string>) => (value: string) =>
  fc
    .tuple(insert, fc.nat({ max: value.length }))
    .map(([c, at]) => value.slice(0, at) + c + value.slice(at));

/** `depth` arrays or objects, one inside the other. */
const nested = (depth: number, useObjects: boolean, leaf: unknown) => {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = useObjects ? { a: value } : [value];
  return value;
};
const deepValue = fc
  .tuple(fc.integer({ min: MAX_REQUEST_DEPTH + 1, max: 400 }), fc.boolean())
  .map(([depth, objects]) => nested(depth, objects, 1));

/** Ids that are not ids of that kind, whatever the number. */
function malformedId(kind: IdKind, valid: string): fc.Arbitrary<string> {
  const digits = valid.replace(/^\D+/, '');
  if (kind === 'token') {
    return fc.oneof(
      fc.constantFrom('0', '-1', '1.5', 'abc', 'NaN', 'Infinity', '0x'),
      fc.constantFrom(...SQL),
      fc.constantFrom(...UNICODE),
    );
  }
  const other = (['RFC', 'INC', 'PRB', 'SR', 'FRZ'] as const).filter(
    k => k !== kind,
  );
  return fc.oneof(
    fc.constantFrom(...SQL),
    fc.constantFrom(...UNICODE).map(u => `${kind}-${u}`),
    fc.constantFrom(...other).map(p => `${p}-${digits}`),
    fc.constant(`${kind.toLowerCase()}-${digits}`),
    fc.constant(`${kind}-${digits.slice(-3)}`),
    fc.constant(`${kind}-000000`),
    fc.constant(`${kind}--${digits}`),
    fc.constant(`${kind}-${digits}.5`),
    fc
      .constantFrom(...CONTROL, ...UNICODE, ' ', "'")
      .chain(c => fc.constantFrom(`${valid}${c}`, `${c}${valid}`)),
    fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter(s => !/^[A-Z]+-\d+$/.test(s)),
  );
}

function outOfRangeId(kind: IdKind): fc.Arbitrary<string> {
  const number = fc.oneof(
    fc.integer({ min: MAX_RECORD_SEQUENCE + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.bigInt({ min: 2n ** 53n, max: 10n ** 40n }),
    fc.constant(MAX_RECORD_SEQUENCE + 1),
  );
  const padded = fc
    .tuple(number, fc.nat({ max: 4 }))
    .map(([n, zeros]) => `${'0'.repeat(zeros)}${n}`);
  if (kind === 'token') {
    return fc.oneof(
      padded,
      fc.constantFrom('1e10', '2147483648.0', '0x80000000'),
    );
  }
  return padded.map(n => `${kind}-${n}`);
}

/** The cases of one write route. */
function writeCases(route: WriteRoute, seeded: Seeded): fc.Arbitrary<Case> {
  const validPath = route.id
    ? route.path.replace(':id', segment(seeded[route.id]))
    : route.path;
  const base = (what: string, more: Partial<Case>): Case => ({
    what: `${route.name}: ${what}`,
    method: route.method,
    path: validPath,
    as: route.as,
    ...(route.body ? { body: JSON.stringify(route.body()) } : {}),
    ...more,
  });
  const body = route.body?.() ?? { note: 'this route reads no body' };
  // Somewhere to put a character; the guard answers before the route
  // would find the field's type wrong.
  const strings = stringPaths(body);
  if (!strings.length) strings.push([Object.keys(body)[0]]);
  const cases: Array<fc.Arbitrary<Case>> = [];

  // What every route refuses, whatever it reads.
  cases.push(
    fc
      .tuple(fc.constantFrom(...strings), fc.constantFrom(...CONTROL))
      .chain(([path, c]) =>
        inserted(fc.constant(c))(String(pathValue(body, path))).map(v =>
          base(`${c.charCodeAt(0)} in ${path.join('.')}`, {
            body: JSON.stringify(setPath(body, path, v)),
            expect: GUARD.control,
          }),
        ),
      ),
    fc
      .tuple(fc.constantFrom(...strings), fc.constantFrom(...LONE_SURROGATES))
      .chain(([path, s]) =>
        inserted(fc.constant(s))(String(pathValue(body, path))).map(v =>
          base(`unpaired surrogate in ${path.join('.')}`, {
            body: JSON.stringify(setPath(body, path, v)),
            expect: GUARD.surrogate,
          }),
        ),
      ),
    fc.constantFrom(...CONTROL).map(c =>
      base(`control character in the query`, {
        query: `note=${encodeURIComponent(`a${c}b`)}`,
        expect: GUARD.control,
      }),
    ),
    fc
      .tuple(fc.constantFrom(...Object.keys(body)), deepValue)
      .map(([key, value]) =>
        base(`${key} nested too deep`, {
          body: JSON.stringify(withEntry(body, key, value)),
          expect: GUARD.deep,
        }),
      ),
    fc
      .tuple(
        fc.constantFrom<string[]>(
          [],
          ...(route.fields?.parameters ? [['parameters']] : []),
        ),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .map(([path, value]) => {
        const holder = path.length
          ? (pathValue(body, path) as Record<string, unknown>) ?? {}
          : body;
        return base(`__proto__ in ${path.join('.') || 'the body'}`, {
          body: JSON.stringify(
            setPath(body, path, withEntry(holder, '__proto__', value)),
          ),
          expect: GUARD.proto,
        });
      }),
    fc
      .tuple(
        fc.constantFrom(...strings),
        fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT * 2 }),
        fc.constantFrom('x', 'é', '字', '😀'),
      )
      .map(([path, length, c]) =>
        base(`${path.join('.')} of ${length} characters`, {
          body: JSON.stringify(
            setPath(body, path, c.repeat(Math.ceil(length / c.length))),
          ),
          expect: GUARD.tooLarge,
        }),
      ),
    fc
      .constantFrom(
        '{',
        '{"title": }',
        "{'title': 'x'}",
        '{"a":1,}',
        '{"a": 01}',
        '[1,]',
        '{"a":"\\x"}',
        '{"a":1}{"b":2}',
        'NaN',
        '"just text"',
        '42',
        'null',
        'true',
        "'; DROP TABLE ops_rfcs; --",
      )
      .map(raw => base(`body ${raw}`, { body: raw, expect: GUARD.json })),
  );

  if (route.id) {
    const kind = route.id;
    cases.push(
      outOfRangeId(kind).map(id =>
        base(`id ${id}`, {
          path: route.path.replace(':id', segment(id)),
          expect: GUARD.outOfRange,
        }),
      ),
      malformedId(kind, seeded[kind]).map(id =>
        base(`id ${JSON.stringify(id)}`, {
          path: route.path.replace(':id', segment(id)),
        }),
      ),
    );
  }

  if (!route.id && !route.fields) {
    // The entity in the path of the refresh route.
    const NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
    const badName = fc
      .oneof(
        weirdText,
        fc.constantFrom(...CONTROL).map(c => `payments${c}api`),
        fc.integer({ min: 64, max: 300 }).map(n => 'a'.repeat(n)),
      )
      .filter(name => !NAME.test(name));
    cases.push(
      fc.tuple(fc.nat({ max: 2 }), badName).map(([part, name]) => {
        const parts = ['component', 'default', 'payments-api'];
        parts[part] = name;
        return base(`entity ${parts.join('/')}`, {
          path: `/entities/${parts.map(segment).join('/')}/operations/refresh`,
        });
      }),
    );
  }

  const fields = route.fields;
  if (fields) {
    const names = Object.keys(fields);
    const requiredNames = names.filter(
      n => 'required' in fields[n] && fields[n].required,
    );
    if (requiredNames.length) {
      cases.push(
        fc.constantFrom(...requiredNames).map(name =>
          base(`without ${name}`, {
            body: JSON.stringify(
              Object.fromEntries(
                Object.entries(body).filter(([k]) => k !== name),
              ),
            ),
          }),
        ),
      );
    }
    cases.push(
      fc
        .tuple(
          fc
            .oneof(
              fc.constantFrom(...PROTOTYPE_KEYS),
              fc.constantFrom(...SQL),
              fc.constantFrom(...UNICODE),
              fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }),
              fc.constantFrom('id', 'status', 'ownerGroup', 'seq', 'version'),
            )
            .filter(key => !Object.hasOwn(fields, key)),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .map(([key, value]) =>
          base(`extra field ${JSON.stringify(key)}`, {
            body: JSON.stringify(withEntry(body, key, value)),
          }),
        ),
      fc.constantFrom(...names).chain(name =>
        wrongValue(fields[name]).map(value =>
          base(`${name}: ${JSON.stringify(value)?.slice(0, 80)}`, {
            body: JSON.stringify(withEntry(body, name, value)),
          }),
        ),
      ),
      fc.constant(
        base('the body as an array', { body: JSON.stringify([body]) }),
      ),
    );
    const texts = names.filter(n => fields[n].kind === 'text');
    if (texts.length) {
      cases.push(
        fc
          .tuple(
            fc.constantFrom(...texts),
            fc.integer({ min: 1, max: 2_000 }),
            fc.constantFrom('x', 'é', '字', '😀'),
          )
          .map(([name, extra, c]) => {
            // Limits count characters (code points), as the columns do.
            const length = (fields[name] as { max: number }).max + extra;
            const value = c.repeat(length);
            return base(`${name} of ${length} characters`, {
              body: JSON.stringify(withEntry(body, name, value)),
            });
          }),
      );
    }
    if (fields.parameters) {
      // Named like what every object inherits; the change type declares
      // only instanceCount and reason.
      cases.push(
        fc
          .tuple(
            fc.constantFrom(...PROTOTYPE_KEYS),
            fc.jsonValue({ maxDepth: 1 }),
          )
          .map(([key, value]) =>
            base(`parameters.${key}`, {
              body: JSON.stringify(
                withEntry(
                  body,
                  'parameters',
                  withEntry(
                    (body.parameters as Record<string, unknown>) ?? {
                      instanceCount: 2,
                    },
                    key,
                    value,
                  ),
                ),
              ),
              ...(key === '__proto__' ? { expect: GUARD.proto } : {}),
            }),
          ),
      );
    }
    if (fields.version) {
      cases.push(
        outOfRangeNumbers.map(v =>
          base(`version ${v}`, {
            body: JSON.stringify(withEntry(body, 'version', v)),
            expect: GUARD.version,
          }),
        ),
      );
    }
    if (fields.emergency) {
      cases.push(
        fc
          .oneof(
            outOfRangeId('INC'),
            // The incident id is trimmed: spaces around one leave an id.
            malformedId('INC', seeded.INC).filter(
              id => !/^INC-\d{6,}$/.test(id.trim()),
            ),
          )
          .map(id =>
            base(`emergency.incidentId ${JSON.stringify(id)}`, {
              body: JSON.stringify(
                withEntry(body, 'emergency', { incidentId: id }),
              ),
            }),
          ),
      );
    }
    if (fields.rfcId) {
      cases.push(
        fc
          .oneof(outOfRangeId('RFC'), malformedId('RFC', 'RFC-000001'))
          .map(id =>
            base(`rfcId ${JSON.stringify(id)}`, {
              body: JSON.stringify(withEntry(body, 'rfcId', id)),
            }),
          ),
      );
    }
  }
  return fc.oneof(...cases);
}

function pathValue(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v as Record<string, unknown> | undefined)?.[k],
    value,
  );
}

// ---------------------------------------------------------------------------
// Query strings of the list routes, and forged cursors.

const forge = (cursor: unknown) =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

const badPosition = fc.oneof(
  fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .filter(d => !Number.isInteger(d)),
  fc.integer({ max: 0 }),
  outOfRangeNumbers,
  fc.constantFrom('1', "1' OR '1'='1", null, [1], { q: 1 }),
);
const forgedCursor: fc.Arbitrary<{ what: string; query: string }> = fc.oneof(
  badPosition.map(q => ({
    what: `cursor at ${JSON.stringify(q)}`,
    query: `cursor=${forge({ s: 'id', o: 'desc', v: q, q })}`,
  })),
  fc
    .oneof(
      fc.constantFrom(...SQL, ...UNICODE, ...CONTROL, '', 'not-a-time'),
      fc.constant('9'.repeat(41)),
      nonString,
    )
    .map(v => ({
      what: `cursor after ${JSON.stringify(v)}`,
      query: `sort=createdAt&cursor=${forge({
        s: 'createdAt',
        o: 'desc',
        v,
        q: 1,
      })}`,
    })),
  fc
    .tuple(
      fc.constantFrom('id', 'createdAt', 'title', '__proto__', "' OR 1=1"),
      fc.constantFrom('asc', 'desc', 'DESC', "'; --"),
    )
    .filter(([s, o]) => !(s === 'id' && o === 'desc'))
    .map(([s, o]) => ({
      what: `cursor of ${s} ${o}`,
      query: `cursor=${forge({ s, o, v: 1, q: 1 })}`,
    })),
  fc
    .oneof(
      fc.constantFrom('[]', '1', '"x"', 'null', '{}', '{"s":"id"}'),
      fc.string({ unit: 'binary', maxLength: 60 }),
    )
    .map(json => ({
      what: `cursor of ${JSON.stringify(json)}`,
      query: `cursor=${
        Buffer.from(json, 'utf8').toString('base64url') || 'e30'
      }`,
    })),
  fc
    .oneof(
      fc.constantFrom(...SQL),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
      fc.integer({ min: 1_001, max: 3_000 }).map(n => 'A'.repeat(n)),
    )
    .map(raw => ({
      what: `cursor ${JSON.stringify(raw.slice(0, 40))}`,
      query: `cursor=${encodeURIComponent(raw)}`,
    })),
);

type ListRoute = {
  path: string;
  as: Who;
  /** Every parameter the route reads. */
  known: string[];
  /** A query the route accepts, so that one wrong parameter is the problem. */
  valid: Record<string, string>;
  /** Parameters and values the route refuses. */
  bad: Record<string, fc.Arbitrary<string>>;
};

const badCount = (max: number) =>
  fc.oneof(
    fc.constantFrom('0', '-1', '1.5', 'abc', '', '1e400', "1' OR '1'='1"),
    fc.integer({ min: max + 1, max: max * 1000 }).map(String),
    fc.constant('100000000000000000000'),
  );
const badOffset = fc.oneof(
  fc.constantFrom('-1', '1.5', 'abc', '1e400', '0; DROP TABLE ops_incidents'),
  fc.constant('100000000000000000000'),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).map(String),
);
const badEnum = (values: readonly string[]) =>
  weirdText.filter(v => !values.includes(v));
const badTime = fc.constantFrom(
  'tomorrow',
  '2026-13-01T00:00:00Z',
  '2026-03-01T10:00:00',
  "2026-03-01T00:00:00Z' OR '1'='1",
  '',
);

const LIST_ROUTES: ListRoute[] = [
  {
    path: '/rfcs',
    as: 'ana',
    known: [
      'status',
      'owner',
      'targetEntityRef',
      'requester',
      'origin',
      'changeTypeId',
      'changeClass',
      'review',
      'from',
      'to',
      'sort',
      'order',
      'limit',
      'cursor',
    ],
    valid: {},
    bad: {
      status: badEnum(RFC_STATUSES),
      limit: badCount(500),
      sort: badEnum(['id', 'createdAt', 'updatedAt', 'requestedStartTime']),
      order: badEnum(['asc', 'desc']),
      from: badTime,
      origin: badEnum(['user', 'central-it']),
    },
  },
  {
    path: '/incidents',
    as: 'ana',
    known: ['entityRef', 'team', 'status', 'priority', 'limit', 'offset'],
    valid: {},
    bad: {
      offset: badOffset,
      limit: badCount(200),
      status: badEnum(['Open', 'Resolved']),
      priority: badEnum(INCIDENT_PRIORITIES),
      entityRef: fc.constantFrom('', "' OR '1'='1", '/'),
    },
  },
  {
    path: '/problems',
    as: 'ana',
    known: ['entityRef', 'team', 'status'],
    valid: {},
    bad: { status: badEnum(PROBLEM_STATUSES) },
  },
  {
    path: '/service-requests',
    as: 'ana',
    known: ['status', 'team', 'limit', 'offset'],
    valid: {},
    bad: {
      offset: badOffset,
      limit: badCount(200),
      status: badEnum(SERVICE_REQUEST_STATUSES),
    },
  },
  {
    path: '/freezes',
    as: 'omar',
    known: ['from', 'to', 'includeLifted'],
    valid: {},
    bad: {
      includeLifted: badEnum(['true', 'false']),
      from: badTime,
      to: badTime,
    },
  },
  {
    path: '/calendar',
    as: 'ana',
    known: ['from', 'to'],
    valid: { from: '2026-03-01T00:00:00Z', to: '2026-03-31T00:00:00Z' },
    bad: { from: badTime, to: badTime },
  },
  {
    path: '/schedule',
    as: 'ana',
    known: ['from', 'to', 'owner'],
    valid: { from: '2026-03-01T00:00:00Z', to: '2026-03-31T00:00:00Z' },
    bad: { from: badTime, to: badTime },
  },
  {
    path: '/change-types',
    as: 'ana',
    known: ['category', 'automation', 'q'],
    valid: {},
    bad: { automation: badEnum(['automated', 'manual']) },
  },
  {
    path: '/audit/entries',
    as: 'omar',
    known: ['subject'],
    valid: { subject: 'rfc:RFC-000001' },
    bad: {
      subject: fc.constantFrom(...SQL, '', 'RFC-000001', ':x', 'rfc:'),
    },
  },
];

const encodeQuery = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

function listCases(route: ListRoute): fc.Arbitrary<Case> {
  const base = (what: string, query: string, expect?: Expect): Case => ({
    what: `GET ${route.path}: ${what}`,
    method: 'get',
    path: route.path,
    query,
    as: route.as,
    ...(expect ? { expect } : {}),
  });
  const names = Object.keys(route.bad);
  const cases: Array<fc.Arbitrary<Case>> = [
    fc
      .constantFrom(...names)
      .chain(name =>
        route.bad[name].map(value =>
          base(
            `${name}=${JSON.stringify(value)}`,
            encodeQuery({ ...route.valid, [name]: value }),
          ),
        ),
      ),
    // qs drops `__proto__` before any code sees it; the other names reach
    // the route as own properties.
    fc
      .tuple(
        fc
          .oneof(
            fc.constantFrom(...PROTOTYPE_KEYS.filter(k => k !== '__proto__')),
            fc.constantFrom(...SQL),
            fc.constantFrom('id', 'seq', 'q', 'where', 'select'),
          )
          .filter(k => !route.known.includes(k)),
        fc.string({ maxLength: 10 }),
      )
      .map(([key, value]) =>
        base(
          `unknown parameter ${key}`,
          encodeQuery({ ...route.valid, [key]: value }),
        ),
      ),
    fc
      .tuple(
        fc.constantFrom(...[...names, ...Object.keys(route.valid)]),
        fc.constantFrom(...CONTROL),
      )
      .map(([name, c]) =>
        base(
          `${name} with ${c.charCodeAt(0)}`,
          encodeQuery({ ...route.valid, [name]: `a${c}` }),
          GUARD.control,
        ),
      ),
  ];
  if (route.path === '/rfcs') {
    cases.push(forgedCursor.map(({ what, query }) => base(what, query)));
  }
  return fc.oneof(...cases);
}

// ---------------------------------------------------------------------------

async function tableCounts(knex: Knex): Promise<Record<string, number>> {
  const names: string[] =
    knex.client.config.client === 'pg'
      ? (
          await knex('information_schema.tables')
            .where('table_schema', knex.raw('current_schema()'))
            .select({ name: 'table_name' })
        ).map((r: { name: string }) => r.name)
      : (await knex('sqlite_master').where('type', 'table').select('name')).map(
          (r: { name: string }) => r.name,
        );
  const tables = names.filter(name => name.startsWith('ops_'));
  const row = await knex
    .select(
      tables.map(t => knex.raw('(select count(*) from ??) as ??', [t, t])),
    )
    .first();
  return Object.fromEntries(
    tables.sort().map(t => [t, Number((row as Record<string, unknown>)[t])]),
  );
}

async function send(server: any, c: Case) {
  const url = `/api/ops${c.path}${c.query ? `?${c.query}` : ''}`;
  let req = request(server)[c.method](url);
  const header = authorization(c.as);
  if (header) req = req.set('Authorization', header);
  if (c.body !== undefined) {
    req = req.set('Content-Type', 'application/json').send(c.body);
  }
  return req;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'malformed input on %s',
  databaseId => {
    let knex: Knex;
    let server: any;
    let seeded: Seeded;
    let feedToken: string;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startTestBackend({
        features: [
          opsPlugin,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              ops: {
                centralIt: { group: CENTRAL_IT },
                changeTypes: {
                  trustedLocations: ['url:https://types.test/*'],
                },
                // Thousands of requests from a few users: the per-user
                // write limit (tested on its own) would answer 429 first.
                limits: { writesPerWindow: 0 },
              },
            },
          }),
          catalogServiceMock.factory({ entities }),
          userInfo.factory,
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
        ],
      }));
      const created = async (c: Case, status = 201) => {
        const res = await send(server, c);
        if (res.status !== status) {
          throw new Error(
            `${c.what}: ${res.status} ${JSON.stringify(res.body)}`,
          );
        }
        return res.body;
      };
      const rfc = await created({
        what: 'seed an RFC',
        method: 'post',
        path: '/rfcs',
        as: 'ana',
        body: JSON.stringify({ ...rfcBody(), submit: false }),
      });
      const serviceRequest = await created({
        what: 'seed a service request',
        method: 'post',
        path: '/service-requests',
        as: 'ana',
        body: JSON.stringify({
          title: 'Access to the shared VPC',
          topic: 'managed-environment',
          body: 'Please',
        }),
      });
      const freeze = await created({
        what: 'seed a freeze',
        method: 'post',
        path: '/freezes',
        as: 'omar',
        body: JSON.stringify(freezeBody()),
      });
      const token = await created({
        what: 'seed a feed token',
        method: 'post',
        path: '/calendar/feed-tokens',
        as: 'ana',
        body: JSON.stringify({ label: 'Laptop' }),
      });
      feedToken = token.token;
      const incidents = await DatabaseIncidentStore.create({
        database: mockServices.database({ knex }),
      });
      const opened = await incidents.openIncident(
        {
          entityRef: 'component:default/payments-api',
          ownerGroup: PAYMENTS,
          alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu',
          alarmName: 'api-cpu',
          reason: 'Threshold crossed',
          priority: 'P2',
          priorityRule: 'cpu',
          openedAt: new Date().toISOString(),
        },
        { threshold: 1, since: inDays(-1), title: 'Recurring CPU alarm' },
      );
      seeded = {
        RFC: rfc.id,
        SR: serviceRequest.id,
        FRZ: freeze.id,
        token: String(token.feedToken.id),
        INC: opened!.incident.id,
        PRB: opened!.openedProblem!.id,
      };
    });

    it('answers every malformed request 4xx with a message and writes nothing', async () => {
      const cases = fc.oneof(
        ...WRITE_ROUTES.map(route => writeCases(route, seeded)),
        ...LIST_ROUTES.map(listCases),
      );
      const statuses = new Map<number, number>();
      let byRoutes = 0;
      await fc.assert(
        fc.asyncProperty(cases, async c => {
          const before = await tableCounts(knex);
          const res = await send(server, c);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const message = res.body?.error?.message;
          const answer = `${c.method.toUpperCase()} ${c.path}${
            c.query ? `?${c.query.slice(0, 200)}` : ''
          } → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          if (res.status < 400 || res.status >= 500) {
            throw new Error(`${c.what}: not a 4xx: ${answer}`);
          }
          if (typeof message !== 'string' || !message.trim()) {
            throw new Error(`${c.what}: no error message: ${answer}`);
          }
          if (
            c.expect &&
            (res.status !== c.expect.status || !c.expect.message.test(message))
          ) {
            throw new Error(
              `${c.what}: expected ${c.expect.status} ${c.expect.message}: ${answer}`,
            );
          }
          if (!GUARD_MESSAGES.some(re => re.test(message))) byRoutes++;
          const after = await tableCounts(knex);
          for (const [table, count] of Object.entries(after)) {
            if (before[table] !== count) {
              throw new Error(
                `${c.what}: ${table} went from ${before[table]} to ${count} rows: ${answer}`,
              );
            }
          }
        }),
        // No shrinking: a request that got through may have changed what
        // the next ones find, so the first failure is the one to read.
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      // Both the guard and the routes' own checks answered.
      expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 413]));
      expect(byRoutes).toBeGreaterThan(RUNS / 4);
    });

    it('answers 401 first to a malformed request without credentials, and still serves the feed', async () => {
      const before = await tableCounts(knex);
      for (const c of [
        {
          method: 'post' as const,
          path: '/rfcs',
          body: JSON.stringify({ title: 'a\u0000b' }),
        },
        { method: 'get' as const, path: '/rfcs/RFC-2147483648' },
        {
          method: 'post' as const,
          path: '/freezes',
          body: 'x'.repeat(BODY_LIMIT * 2),
        },
        { method: 'get' as const, path: '/rfcs', query: 'cursor=%00' },
      ]) {
        const res = await send(server, { what: '', as: 'nobody', ...c });
        expect({ path: c.path, status: res.status }).toEqual({
          path: c.path,
          status: 401,
        });
      }
      const feed = await send(server, {
        what: 'the feed',
        method: 'get',
        path: `/calendar/feed/${feedToken}.ics`,
        as: 'nobody',
      });
      expect(feed.status).toBe(200);
      expect(feed.text).toMatch(/^BEGIN:VCALENDAR/);
      expect(await tableCounts(knex)).toEqual(before);
    });

    it('lets tabs, line breaks and any valid Unicode through', async () => {
      const res = await send(server, {
        what: 'text with tabs, line breaks and emoji',
        method: 'post',
        path: '/service-requests',
        as: 'ana',
        body: JSON.stringify({
          title: 'Graviton AMIs 👩‍💻 für İstanbul',
          topic: 'central-it',
          body: 'Line one\r\nLine two\twith a tab, e\u0301 and 字 and \u{1f600}',
        }),
      });
      expect(res.status).toBe(201);
      expect(res.body.title).toBe('Graviton AMIs 👩‍💻 für İstanbul');
      const thread = await send(server, {
        what: 'read it back',
        method: 'get',
        path: `/service-requests/${res.body.id}`,
        as: 'ana',
      });
      expect(thread.body.messages[0].body).toBe(
        'Line one\r\nLine two\twith a tab, e\u0301 and 字 and \u{1f600}',
      );
    });

    // Last: these change the seeded records.
    it('accepts the requests the malformed ones were made from', async () => {
      const refused: string[] = [];
      for (const route of WRITE_ROUTES) {
        const res = await send(server, {
          what: route.name,
          method: route.method,
          path: route.id
            ? route.path.replace(':id', segment(seeded[route.id]))
            : route.path,
          as: route.as,
          ...(route.body ? { body: JSON.stringify(route.body()) } : {}),
        });
        // Well-formed: the record's state or the caller's proof may still
        // refuse it, but not as malformed.
        if (res.status === 400 || res.status === 413 || res.status >= 500) {
          refused.push(
            `${route.name}: ${res.status} ${res.body?.error?.message}`,
          );
        }
      }
      expect(refused).toEqual([]);
    });
  },
);
