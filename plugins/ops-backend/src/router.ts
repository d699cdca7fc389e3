import { CustomErrorBase, InputError } from '@backstage/errors';
import {
  isSequenceIdOutOfRange,
  MAX_RECORD_SEQUENCE,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import Router from 'express-promise-router';
import type { Knex } from 'knex';

/** The largest JSON request body by default, in bytes; a larger one is answered 413. */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024;
/** The deepest a request body may nest objects and arrays. */
export const MAX_REQUEST_DEPTH = 32;
/** At most this many problems are named in one answer. */
const MAX_PROBLEMS = 10;

/** 413: the request body is larger than {@link MAX_REQUEST_BODY_BYTES}. */
class RequestTooLargeError extends CustomErrorBase {
  readonly statusCode = 413;
}

/**
 * Routes whose path names one record by its id, with the id's prefix (the
 * feed tokens' ids are bare numbers).
 */
const RECORD_PATHS: Array<{ path: RegExp; prefix?: string; what: string }> = [
  { path: /^\/rfcs\/([^/]+)/, prefix: 'RFC', what: 'RFC' },
  { path: /^\/incidents\/([^/]+)/, prefix: 'INC', what: 'incident' },
  { path: /^\/problems\/([^/]+)/, prefix: 'PRB', what: 'problem' },
  {
    path: /^\/service-requests\/([^/]+)/,
    prefix: 'SR',
    what: 'service request',
  },
  { path: /^\/freezes\/([^/]+)/, prefix: 'FRZ', what: 'freeze' },
  { path: /^\/calendar\/feed-tokens\/([^/]+)/, what: 'feed token' },
];

/**
 * Why a string may not be stored, or undefined when it may: C0 control
 * characters other than tab, line feed and carriage return (PostgreSQL
 * refuses NUL in text; the rest have no place in this product's text), and
 * unpaired UTF-16 surrogates, which are no Unicode text at all and would be
 * stored as U+FFFD.
 */
function textProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      const code = c.toString(16).toUpperCase().padStart(4, '0');
      return `must not contain control characters such as NUL (found U+${code} at position ${i})`;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `must be valid Unicode text (found an unpaired surrogate at position ${i})`;
    }
  }
  return undefined;
}

/**
 * Walks a parsed body or query string, without recursion so that no nesting
 * can exhaust the stack, and names what may not pass: text as above, in
 * values and field names, the field name `__proto__` (JSON.parse keeps it,
 * the schemas would drop it silently), and nesting deeper than
 * {@link MAX_REQUEST_DEPTH}.
 */
function inputProblems(input: unknown): string[] {
  const problems: string[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [
    { value: input, path: '', depth: 0 },
  ];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const { value, path, depth } = stack.pop()!;
    const where = path || 'value';
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push(`${where}: ${problem}`);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_REQUEST_DEPTH) {
      problems.push(
        `${where}: nests deeper than ${MAX_REQUEST_DEPTH} levels of objects and arrays`,
      );
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({
          value: value[i],
          path: `${path}[${i}]`,
          depth: depth + 1,
        });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      const child = path ? `${path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) {
        problems.push(
          `${where}: the field name ${JSON.stringify(key)} ${keyProblem}`,
        );
      } else if (key === '__proto__') {
        problems.push(`${child}: is not a field name this API accepts`);
      } else {
        stack.push({
          value: (value as Record<string, unknown>)[key],
          path: child,
          depth: depth + 1,
        });
      }
    }
  }
  return problems;
}

/**
 * The id a record route's path names when no record can have its number,
 * and what kind of record it would be.
 */
function outOfRangeId(path: string): { id: string; what: string } | undefined {
  for (const route of RECORD_PATHS) {
    const match = route.path.exec(path);
    if (!match) continue;
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      // Express answers undecodable paths itself.
      return undefined;
    }
    // The feed-token route reads its id as `Number` does, `1e10` included.
    const n = Number(id);
    const outOfRange = route.prefix
      ? isSequenceIdOutOfRange(route.prefix, id)
      : Number.isInteger(n) && n > MAX_RECORD_SEQUENCE;
    return outOfRange ? { id, what: route.what } : undefined;
  }
  return undefined;
}

/**
 * The first handler of every `/api/ops` route, after the plugin's auth
 * policy: a request without valid credentials is still answered 401 (and the
 * unauthenticated calendar feed still served) before anything here runs.
 * Malformed input never reaches the database, whichever database it is:
 *
 * - JSON bodies are parsed here, at most {@link MAX_REQUEST_BODY_BYTES} (413
 *   otherwise); a body that is no JSON is a 400 naming the problem;
 * - bodies and query strings may not carry C0 control characters other
 *   than tab, line feed and carriage return, unpaired surrogates, the field
 *   name `__proto__`, or nest deeper than {@link MAX_REQUEST_DEPTH} (400);
 * - a path that names a record whose number is above the database key's
 *   range (e.g. `RFC-2147483648`) is a 400 "out of range", for reads and
 *   writes alike: such a record cannot exist, and the id is not malformed
 *   either, so it is neither a 404 nor the route's "not an id"; so is a
 *   body's `version` above that range.
 *
 * Because it runs before the routes, a malformed request from a caller the
 * route would then refuse (a service token on a route for people only)
 * learns that its input is malformed, and no more: nothing is read first.
 */
export function createInputGuard(
  options: { maxBodyBytes?: number } = {},
): express.Router {
  const router = Router();
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const json = express.json({ limit: maxBodyBytes });
  router.use((req, res, next) => {
    json(req, res, error => {
      if (!error) {
        next();
      } else if (error.type === 'entity.too.large') {
        next(
          new RequestTooLargeError(
            `request body: must be at most ${maxBodyBytes} bytes${
              typeof error.length === 'number'
                ? `; this one is ${error.length} bytes`
                : ''
            }`,
          ),
        );
      } else if (error.type === 'entity.parse.failed') {
        next(
          new InputError(
            `Invalid request body: not valid JSON: ${error.message}`,
          ),
        );
      } else {
        next(error);
      }
    });
  });
  router.use((req, _res, next) => {
    const record = outOfRangeId(req.path);
    if (record) {
      throw new InputError(
        `id: ${JSON.stringify(record.id)} is out of range; no ${
          record.what
        } has a number above ${MAX_RECORD_SEQUENCE}`,
      );
    }
    const query = inputProblems(req.query);
    if (query.length) {
      throw new InputError(`Invalid query: ${query.join('; ')}`);
    }
    const body = inputProblems(req.body);
    if (body.length) {
      throw new InputError(`Invalid request body: ${body.join('; ')}`);
    }
    // Every body with a `version` names the version of the record it was
    // read at; the routes judge its type, this only its range.
    const version =
      req.body &&
      typeof req.body === 'object' &&
      Object.hasOwn(req.body, 'version')
        ? req.body.version
        : undefined;
    if (
      typeof version === 'number' &&
      Number.isInteger(version) &&
      version > MAX_RECORD_SEQUENCE
    ) {
      throw new InputError(
        `Invalid request body: version: ${version} is out of range; no record reaches a version above ${MAX_RECORD_SEQUENCE}`,
      );
    }
    next();
  });
  return router;
}

export async function createRouter(options: {
  db: Knex;
  /** RFCs, the change calendar and change types. */
  rfcRoutes?: express.Router;
  /** Tag policy violations per entity and per owning team. */
  tagComplianceRoutes?: express.Router;
}): Promise<express.Router> {
  const { db } = options;
  const router = Router();
  router.use(express.json());

  // Authenticated like every other route: the default http auth policy
  // accepts user and service credentials only.
  router.get('/health', async (_req, res) => {
    await db.raw('select 1');
    res.json({ status: 'ok', database: 'ok' });
  });

  if (options.rfcRoutes) {
    router.use(options.rfcRoutes);
  }
  if (options.tagComplianceRoutes) router.use(options.tagComplianceRoutes);

  return router;
}
