import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  INCIDENT_PRIORITIES,
  PROBLEM_STATUSES,
  type IncidentPriority,
  type ProblemStatus,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { IncidentService } from '../services/Incidents/IncidentService';
import { parseInput } from './parseInput';

const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;

const text = (max: number) => z.string().max(max);

const entityRef = z
  .string()
  .min(1, 'must not be empty')
  .transform((value, ctx) => {
    try {
      return stringifyEntityRef(
        parseEntityRef(value, { defaultNamespace: 'default' }),
      ).toLocaleLowerCase('en-US');
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an entity ref such as component:default/payments-api',
      });
      return z.NEVER;
    }
  });

const team = z
  .string()
  .min(1, 'must not be empty')
  .transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      if (ref.kind.toLocaleLowerCase('en-US') === 'group') {
        return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
      }
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: 'custom',
      message: 'must be a group ref such as group:default/payments',
    });
    return z.NEVER;
  });

const incidentListQuery = z.strictObject({
  entityRef: entityRef.optional(),
  team: team.optional(),
  status: z.enum(['Open', 'Resolved']).optional(),
  priority: z
    .enum(INCIDENT_PRIORITIES as [IncidentPriority, ...IncidentPriority[]])
    .optional(),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be between 1 and ${MAX_LIMIT}`)
    .max(MAX_LIMIT, `must be between 1 and ${MAX_LIMIT}`)
    .default(DEFAULT_LIMIT),
  offset: z.coerce
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .default(0),
});

const problemListQuery = z.strictObject({
  entityRef: entityRef.optional(),
  team: team.optional(),
  status: z
    .enum(PROBLEM_STATUSES as [ProblemStatus, ...ProblemStatus[]])
    .optional(),
});

const resolveBody = z.strictObject({
  notes: text(20_000),
});

const problemBody = z.strictObject({
  version: z.number().int().positive(),
  status: z
    .enum(PROBLEM_STATUSES as [ProblemStatus, ...ProblemStatus[]])
    .optional(),
  rootCause: text(20_000).optional(),
  remediation: text(20_000).optional(),
});

/**
 * The incident and problem routes of `/api/ops`. Signed-in users only: reads
 * are scoped to the caller's teams (Central IT reads all), and the service
 * checks the permissions of writes.
 */
export function createIncidentRoutes(options: {
  httpAuth: HttpAuthService;
  incidents: IncidentService;
}): express.Router {
  const { httpAuth, incidents } = options;
  const router = Router();
  router.use(express.json());

  const reader = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });
  const writer = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/incidents', async (req, res) => {
    const credentials = await reader(req);
    const query = parseInput(incidentListQuery, req.query, 'query');
    res.json(
      await incidents.listIncidents(
        {
          entityRef: query.entityRef,
          ownerGroup: query.team,
          status: query.status,
          priority: query.priority,
          limit: query.limit,
          offset: query.offset,
        },
        credentials,
      ),
    );
  });

  router.get('/incidents/:id', async (req, res) => {
    const credentials = await reader(req);
    res.json(await incidents.readIncident(req.params.id, credentials));
  });

  router.post('/incidents/:id/resolve', async (req, res) => {
    const credentials = await writer(req);
    const body = parseInput(resolveBody, req.body, 'request body');
    res.json(await incidents.resolve(req.params.id, body.notes, credentials));
  });

  router.get('/problems', async (req, res) => {
    const credentials = await reader(req);
    const query = parseInput(problemListQuery, req.query, 'query');
    res.json({
      items: await incidents.listProblems(
        {
          entityRef: query.entityRef,
          ownerGroup: query.team,
          status: query.status,
        },
        credentials,
      ),
    });
  });

  router.get('/problems/:id', async (req, res) => {
    const credentials = await reader(req);
    res.json(await incidents.readProblem(req.params.id, credentials));
  });

  router.patch('/problems/:id', async (req, res) => {
    const credentials = await writer(req);
    const body = parseInput(problemBody, req.body, 'request body');
    res.json(await incidents.updateProblem(req.params.id, body, credentials));
  });

  return router;
}
