import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  SERVICE_REQUEST_STATUSES,
  SERVICE_REQUEST_TOPICS,
  type ServiceRequestStatus,
  type ServiceRequestTopic,
} from '@cloud-ops/plugin-ops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  SERVICE_REQUEST_LIMITS as LIMITS,
  type ServiceRequestService,
} from '../services/ServiceRequests/ServiceRequestService';
import { parseInput } from './parseInput';

const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? 'is required' : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`);
const ref = z.string().trim().min(1, 'is required').max(255);
const version = z
  .number({ message: 'must be the version number of the request you read' })
  .int()
  .positive();

export const createServiceRequestBody = z.strictObject({
  title: text(LIMITS.titleMin, LIMITS.titleMax),
  topic: z.enum(SERVICE_REQUEST_TOPICS as [ServiceRequestTopic], {
    message: `must be one of ${SERVICE_REQUEST_TOPICS.join(', ')}`,
  }),
  body: text(1, LIMITS.bodyMax),
  team: ref.optional(),
  entityRef: ref.optional(),
});

export const replyBody = z.strictObject({
  body: text(1, LIMITS.bodyMax),
  version,
});

export const closeBody = z.strictObject({
  version,
  reason: text(1, LIMITS.reasonMax).optional(),
});

const listQuery = z.strictObject({
  status: z
    .enum(SERVICE_REQUEST_STATUSES as [ServiceRequestStatus], {
      message: `must be one of ${SERVICE_REQUEST_STATUSES.join(', ')}`,
    })
    .optional(),
  team: ref.optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(1)
    .max(LIMITS.listMax)
    .optional(),
  offset: z.coerce
    .number({ message: 'must be a number' })
    .int()
    .min(0)
    .optional(),
});

const ID = /^SR-\d{6,15}$/;

function requestId(params: Record<string, string>) {
  if (!ID.test(params.id)) {
    throw new InputError(
      `id: "${params.id}" is not a service request id such as SR-000123`,
    );
  }
  return params.id;
}

/**
 * - `POST /service-requests` open a request for one of the caller's teams;
 * - `GET  /service-requests?status=&team=&limit=&offset=` the requests the
 *   caller may see, newest first, without their threads;
 * - `GET  /service-requests/:id` one request with its thread;
 * - `POST /service-requests/:id/messages` reply `{ body, version }`;
 * - `POST /service-requests/:id/close` close `{ version, reason? }`.
 */
export async function createServiceRequestRoutes(options: {
  httpAuth: HttpAuthService;
  serviceRequests: ServiceRequestService;
}): Promise<express.Router> {
  const { httpAuth, serviceRequests } = options;
  const router = Router();
  router.use(express.json());

  router.post('/service-requests', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body = parseInput(
      createServiceRequestBody,
      req.body,
      'service request',
    );
    res.status(201).json(await serviceRequests.create(body, credentials));
  });

  router.get('/service-requests', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const query = parseInput(listQuery, req.query, 'query');
    res.json(await serviceRequests.list(query, credentials));
  });

  router.get('/service-requests/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await serviceRequests.get(requestId(req.params), credentials));
  });

  router.post('/service-requests/:id/messages', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const id = requestId(req.params);
    const body = parseInput(replyBody, req.body, 'reply');
    res.json(await serviceRequests.reply(id, body, credentials));
  });

  router.post('/service-requests/:id/close', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const id = requestId(req.params);
    const body = parseInput(closeBody, req.body, 'close');
    res.json(await serviceRequests.close(id, body, credentials));
  });

  return router;
}
