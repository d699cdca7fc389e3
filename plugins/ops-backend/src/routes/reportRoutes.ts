import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { toCsv } from '../services/Reports/csv';
import type { ReportService } from '../services/Reports/ReportService';

const monthlyQuery = z.strictObject({
  team: z
    .string({ message: 'is required, e.g. group:default/payments' })
    .trim()
    .min(1, 'is required, e.g. group:default/payments')
    .max(255),
  month: z
    .string({ message: 'is required, e.g. 2026-11' })
    .regex(
      /^\d{4}-(0[1-9]|1[0-2])$/,
      'must be a month such as 2026-11 (YYYY-MM)',
    ),
  format: z
    .enum(['json', 'csv'], { message: 'must be json or csv' })
    .optional(),
});

function parseQuery(input: unknown) {
  const result = monthlyQuery.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(issue =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter(s) ${issue.keys.join(', ')}`
        : `${issue.path.join('.') || 'query'}: ${issue.message}`,
    );
    throw new InputError(`Invalid query: ${problems.join('; ')}`);
  }
  return result.data;
}

/** A file name part from the team's name, limited to safe characters. */
function fileNamePart(team: string) {
  return parseEntityRef(team).name.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/**
 * - `GET /reports/monthly?team=group:default/payments&month=2026-11[&format=csv]`
 *   the monthly service report as JSON, or as a CSV download;
 * - `GET /reports/teams` the teams whose reports the caller may read.
 */
export async function createReportRoutes(options: {
  httpAuth: HttpAuthService;
  reports: ReportService;
}): Promise<express.Router> {
  const { httpAuth, reports } = options;
  const router = Router();

  router.get('/reports/monthly', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const query = parseQuery(req.query);
    const report = await reports.monthly(query.team, query.month, credentials);
    if (query.format === 'csv') {
      res
        .status(200)
        .set('Content-Type', 'text/csv; charset=utf-8')
        .set(
          'Content-Disposition',
          `attachment; filename="service-report-${fileNamePart(report.team)}-${
            report.month
          }.csv"`,
        )
        .send(toCsv(report));
      return;
    }
    res.json(report);
  });

  router.get('/reports/teams', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ items: await reports.teams(credentials) });
  });

  return router;
}
