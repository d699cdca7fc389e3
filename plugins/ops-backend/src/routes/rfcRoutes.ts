import type {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  CHANGE_CLASSES,
  CHANGE_TYPE_RISKS,
  type ChangeClass,
  RFC_ORIGINS,
  RFC_STATUSES,
  type ChangeTypeRisk,
  type Rfc,
  type RfcConflicts,
  type RfcStatus,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { z } from 'zod';
import { spec } from '../schema/openapi.generated';
import { MAX_LIST_LIMIT } from '../database/DatabaseRfcStore';
import type { ChangeTypeService } from '../services/ChangeTypes/ChangeTypeService';
import type { RfcService } from '../services/Rfcs/RfcService';
import type { ExecutionService } from '../services/Execution/ExecutionService';
import { parseInput } from './parseInput';

const text = (max: number) => z.string().trim().min(1, 'is required').max(max);
const time = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time such as 2026-03-01T10:00:00Z',
});
const version = z.number().int().positive();
const risk = z.enum(CHANGE_TYPE_RISKS as [ChangeTypeRisk, ...ChangeTypeRisk[]]);
const parameters = z.record(z.string(), z.unknown());

export const createBody = z.strictObject({
  changeTypeId: text(255),
  changeTypeVersion: text(64).optional(),
  title: text(255),
  description: text(20_000),
  targetEntityRef: text(255),
  parameters: parameters.default({}),
  implementationPlan: text(20_000),
  testPlan: text(20_000),
  peerReviewer: text(255).optional(),
  rollbackPlan: text(20_000),
  risk: risk.optional(),
  requestedStartTime: z.union([time, z.literal('now')]).optional(),
  requestedEndTime: time.optional(),
  emergency: z
    .strictObject({
      incidentId: text(32),
      freezeOverrideReason: text(5_000).optional(),
    })
    .optional(),
  submit: z.boolean().optional(),
});

export const updateBody = z.strictObject({
  version,
  title: text(255).optional(),
  description: text(20_000).optional(),
  parameters: parameters.optional(),
  implementationPlan: text(20_000).optional(),
  testPlan: text(20_000).optional(),
  peerReviewer: text(255).nullable().optional(),
  rollbackPlan: text(20_000).optional(),
  risk: risk.optional(),
  requestedStartTime: time.nullable().optional(),
  requestedEndTime: time.nullable().optional(),
});

export const actionBodies = {
  submit: z.strictObject({
    version,
    freezeOverrideReason: text(5_000).optional(),
  }),
  approve: z.strictObject({ version, comment: text(5_000).optional() }),
  reject: z.strictObject({ version, comment: text(5_000) }),
  cancel: z.strictObject({ version, reason: text(5_000).optional() }),
  start: z.strictObject({ version }),
  complete: z.strictObject({
    version,
    outcome: z.enum(['Success', 'Failure']),
    outcomeNotes: text(20_000).optional(),
  }),
  retry: z.strictObject({ version, reason: text(5_000).optional() }),
  review: z.strictObject({
    version,
    whatHappened: text(8_000),
    rootCause: text(8_000),
    followUp: text(8_000),
  }),
};

const proof = {
  rfcId: z
    .string()
    .regex(/^RFC-\d{6,}$/, 'must be an RFC id such as RFC-000123'),
  secret: z.string().min(1).max(512),
  taskId: z.string().min(1).max(255),
};
export const verifyBody = z.strictObject(proof);
export const outputsBody = z.strictObject({
  ...proof,
  stepId: z.string().min(1).max(255),
  outputs: z
    .record(z.string().min(1).max(255), z.string().max(4_000))
    .refine(o => Object.keys(o).length <= 50, 'at most 50 outputs at once'),
});
const logsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

const oneOrMany = <T extends z.ZodTypeAny>(schema: T) =>
  z
    .union([schema, z.array(schema)])
    .transform(v => (Array.isArray(v) ? v : [v]));

const listQuery = z.strictObject({
  status: oneOrMany(
    z.enum(RFC_STATUSES as [RfcStatus, ...RfcStatus[]]),
  ).optional(),
  owner: text(255).optional(),
  targetEntityRef: text(255).optional(),
  requester: text(255).optional(),
  origin: z.enum(RFC_ORIGINS as ['user', 'central-it']).optional(),
  changeTypeId: text(255).optional(),
  changeClass: z
    .enum(CHANGE_CLASSES as [ChangeClass, ...ChangeClass[]])
    .optional(),
  review: z.enum(['due', 'overdue']).optional(),
  from: time.optional(),
  to: time.optional(),
  sort: z
    .enum(['id', 'createdAt', 'updatedAt', 'requestedStartTime'])
    .optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
  cursor: text(1_000).optional(),
});

// Kind, namespace and name as the catalog allows them.
const ENTITY_NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const entityParams = z.object({
  kind: z
    .string()
    .regex(
      /^[a-zA-Z][a-zA-Z0-9]*$/,
      'must be an entity kind such as component',
    ),
  namespace: z
    .string()
    .regex(ENTITY_NAME, 'must be a namespace such as default'),
  name: z.string().regex(ENTITY_NAME, 'must be an entity name'),
});

const calendarQuery = z.strictObject({ from: time, to: time });

const changeTypeQuery = z.strictObject({
  category: text(255).optional(),
  automation: z.enum(['automated', 'manual']).optional(),
  q: text(255).optional(),
});

const CALENDAR_STATUSES: RfcStatus[] = [
  'PendingApproval',
  'Scheduled',
  'InProgress',
  'Success',
  'Failure',
];
const CALENDAR_MAX_DAYS = 366;

/** The RFC, calendar and change-type routes of `/api/ops`. */
export function createRfcRoutes(options: {
  httpAuth: HttpAuthService;
  rfcs: RfcService;
  changeTypes: ChangeTypeService;
  executions: ExecutionService;
  /** What an approver should know about an RFC's window. */
  conflicts?: (
    id: string,
    rfc: Rfc,
    credentials: BackstageCredentials,
  ) => Promise<RfcConflicts>;
}): express.Router {
  const { httpAuth, rfcs, changeTypes, executions, conflicts } = options;
  // Requests are checked against the documented spec first; the zod schemas
  // below then give each field's problem in the product's words.
  const router = createValidatedOpenApiRouter<typeof spec>(spec, {
    validatorOptions: {
      validateRequests: {
        allErrors: true,
        coerceTypes: false,
        allowUnknownQueryParameters: false,
      },
    },
  });
  // The typed router types requests from the spec; these helpers only need
  // what every express request has.
  const credentials = (req: unknown) =>
    httpAuth.credentials(req as express.Request, {
      allow: ['user', 'service'],
    });
  const rfcId = (req: unknown) => (req as express.Request).params.id;

  router.post('/rfcs', async (req, res) => {
    const creds = await credentials(req);
    const body = parseInput(createBody, req.body, 'request body');
    const rfc = await rfcs.create(
      { ...body, parameters: body.parameters as JsonObject },
      creds,
    );
    res.status(201).json(rfc);
  });

  router.get('/rfcs', async (req, res) => {
    const creds = await credentials(req);
    const query = parseInput(listQuery, req.query, 'query');
    if (
      query.from &&
      query.to &&
      Date.parse(query.to) < Date.parse(query.from)
    ) {
      throw new InputError('Invalid query: to: must not be before from');
    }
    res.json(await rfcs.list(query, creds));
  });

  router.get('/rfcs/:id', async (req, res) => {
    res.json(await rfcs.get(rfcId(req), await credentials(req)));
  });

  router.patch('/rfcs/:id', async (req, res) => {
    const creds = await credentials(req);
    const body = parseInput(updateBody, req.body, 'request body');
    res.json(
      await rfcs.update(
        rfcId(req),
        body as Omit<typeof body, 'parameters'> & { parameters?: JsonObject },
        creds,
      ),
    );
  });

  for (const action of Object.keys(actionBodies) as Array<
    keyof typeof actionBodies
  >) {
    router.post(`/rfcs/:id/${action}`, async (req, res) => {
      const creds = await credentials(req);
      const body = parseInput(actionBodies[action], req.body, 'request body');
      res.json(await rfcs.act(rfcId(req), { action, ...body } as any, creds));
    });
  }

  router.get('/rfcs/:id/conflicts', async (req, res) => {
    const creds = await credentials(req);
    // Read first: another team's RFC is as absent here as everywhere.
    const rfc = await rfcs.get(rfcId(req), creds);
    if (!conflicts) {
      throw new NotFoundError('this portal keeps no change schedule');
    }
    res.json(await conflicts(rfc.id, rfc, creds));
  });

  router.get('/rfcs/:id/execution', async (req, res) => {
    res.json(await executions.getExecution(rfcId(req), await credentials(req)));
  });

  router.get('/rfcs/:id/execution/logs', async (req, res) => {
    const creds = await credentials(req);
    const { after } = parseInput(logsQuery, req.query, 'query');
    res.json({ items: await executions.getLogs(rfcId(req), after, creds) });
  });

  // Only actions inside an execution run call these, with the scaffolder's
  // service token; the service refuses everyone else.
  router.post('/executions/verify', async (req, res) => {
    const creds = await httpAuth.credentials(req as express.Request, {
      allow: ['service'],
    });
    const body = parseInput(verifyBody, req.body, 'request body');
    res.json(await executions.verify(body, creds));
  });

  router.post('/executions/outputs', async (req, res) => {
    const creds = await httpAuth.credentials(req as express.Request, {
      allow: ['service'],
    });
    const body = parseInput(outputsBody, req.body, 'request body');
    res.json(await executions.reportOutputs(body, creds));
  });

  router.get('/rfcs/:id/events', async (req, res) => {
    const items = await rfcs.events(rfcId(req), await credentials(req));
    res.json({ items });
  });

  router.get('/calendar', async (req, res) => {
    const creds = await credentials(req);
    const { from, to } = parseInput(calendarQuery, req.query, 'query');
    const span = Date.parse(to) - Date.parse(from);
    if (span < 0) {
      throw new InputError('Invalid query: to: must not be before from');
    }
    if (span > CALENDAR_MAX_DAYS * 86_400_000) {
      throw new InputError(
        `Invalid query: to: the calendar shows at most ${CALENDAR_MAX_DAYS} days at once`,
      );
    }
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await rfcs.list(
        {
          from,
          to,
          status: CALENDAR_STATUSES,
          sort: 'requestedStartTime',
          order: 'asc',
          limit: MAX_LIST_LIMIT,
          cursor,
        },
        creds,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < 5_000);
    res.json({ items });
  });

  router.get('/entities/:kind/:namespace/:name/rfcs', async (req, res) => {
    const creds = await credentials(req);
    const { kind, namespace, name } = parseInput(
      entityParams,
      req.params,
      'entity',
    );
    const ref = stringifyEntityRef({ kind, namespace, name });
    const { items } = await rfcs.list(
      {
        targetEntityRef: ref,
        sort: 'createdAt',
        order: 'desc',
        limit: MAX_LIST_LIMIT,
      },
      creds,
    );
    res.json({ items });
  });

  router.get('/change-types', async (req, res) => {
    const creds = await credentials(req);
    const filter = parseInput(changeTypeQuery, req.query, 'query');
    const items = await changeTypes.list(filter, creds);
    res.json({ items: items.map(({ formSteps: _form, ...rest }) => rest) });
  });

  return router;
}
