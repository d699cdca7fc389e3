import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  AUDIT_EXPORT_FORMATS,
  AUDIT_EXPORT_MAX_DAYS,
  auditReadPermission,
  type AuditExportFormat,
} from '@cloud-ops/plugin-ops-common';
import type express from 'express';
import Router from 'express-promise-router';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { authorizeBasic } from '../permissions/authorizeBasic';
import type { AuditLog } from '../services/Audit';
import { parseInput } from './parseInput';

const DAY_MS = 24 * 60 * 60 * 1000;
const INSTANT_MESSAGE =
  'must be an ISO 8601 date or date-time such as 2026-01-01 or 2026-01-01T00:00:00Z';
const isDate = z.iso.date();
const isDateTime = z.iso.datetime({ offset: true });

const instant = z
  .string({ message: INSTANT_MESSAGE })
  .trim()
  .refine(
    v => isDate.safeParse(v).success || isDateTime.safeParse(v).success,
    INSTANT_MESSAGE,
  )
  .transform(v => new Date(v));

const exportQuery = z
  .strictObject({
    from: instant,
    to: instant,
    format: z
      .enum(
        AUDIT_EXPORT_FORMATS as [AuditExportFormat, ...AuditExportFormat[]],
        {
          message: `must be one of ${AUDIT_EXPORT_FORMATS.join(', ')}`,
        },
      )
      .default('jsonl'),
  })
  .superRefine(({ from, to }, ctx) => {
    // Zod runs this even when a field failed; those have their message.
    if (!(from instanceof Date && to instanceof Date)) return;
    if (to.getTime() < from.getTime()) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'must not be before from',
      });
    } else if (to.getTime() - from.getTime() > AUDIT_EXPORT_MAX_DAYS * DAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `must be at most ${AUDIT_EXPORT_MAX_DAYS} days after from; export a longer period in parts`,
      });
    }
  });

const entriesQuery = z.strictObject({
  subject: z
    .string({ message: 'is required, e.g. rfc:RFC-000123' })
    .trim()
    .regex(
      /^[a-z][a-z-]*:\S.{0,250}$/,
      'must be a subject such as rfc:RFC-000123 or change-type:<id>@<version>',
    ),
});

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  jsonl: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/** `2026-01-01T00:00:00.000Z` → `2026-01-01T000000Z`, safe in a file name. */
const stamp = (date: Date) =>
  date
    .toISOString()
    .replace(/:/g, '')
    .replace(/\.\d{3}Z$/, 'Z');

/**
 * The audit log, for Central IT and auditors (`ops.audit.read`), to user and
 * service callers alike:
 *
 * - `GET /audit/verify` checks every link and names the first broken one;
 * - `GET /audit/export?from=&to=&format=jsonl|csv` downloads the entries
 *   appended in `[from, to)`, at most 366 days, streamed as they are read;
 * - `GET /audit/entries?subject=rfc:RFC-000123` one subject's chain, checked.
 *
 * Not on the OpenAPI-validated router: the export is a stream of text, and
 * the queries are checked here, naming each bad field.
 */
export function createAuditRoutes(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  audit: AuditLog;
}): express.Router {
  const { httpAuth, permissions, audit } = options;
  const router = Router();
  const authorized = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    await authorizeBasic(permissions, auditReadPermission, credentials);
  };

  router.get('/audit/verify', async (req, res) => {
    await authorized(req);
    parseInput(z.strictObject({}), req.query, 'query');
    res.json(await audit.verify());
  });

  router.get('/audit/export', async (req, res) => {
    await authorized(req);
    const query = parseInput(exportQuery, req.query, 'query');
    res
      .status(200)
      .set('Content-Type', CONTENT_TYPES[query.format])
      .set(
        'Content-Disposition',
        `attachment; filename="ops-audit_${stamp(query.from)}_${stamp(
          query.to,
        )}.${query.format}"`,
      )
      .set('Cache-Control', 'no-store');
    // A failure after the first page cuts the download short rather than
    // ending it as if complete.
    await pipeline(Readable.from(audit.export(query)), res);
  });

  router.get('/audit/entries', async (req, res) => {
    await authorized(req);
    const { subject } = parseInput(entriesQuery, req.query, 'query');
    res.json(await audit.subjectChain(subject));
  });

  return router;
}
