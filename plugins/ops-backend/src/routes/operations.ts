import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import { createHash } from 'node:crypto';
import Router from 'express-promise-router';
import {
  OperationsService,
  RefreshRateLimitedError,
} from '../services/OperationsData';

// Kind, namespace and name as the catalog allows them.
const KIND = /^[a-zA-Z][a-zA-Z0-9]*$/;
const NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;

function entityRefFromParams(params: Record<string, string>) {
  const { kind, namespace, name } = params;
  if (!KIND.test(kind)) {
    throw new InputError(
      `"${kind}" is not an entity kind; use letters and digits, e.g. component`,
    );
  }
  if (!NAME.test(namespace)) {
    throw new InputError(
      `"${namespace}" is not an entity namespace, e.g. default`,
    );
  }
  if (!NAME.test(name)) {
    throw new InputError(`"${name}" is not an entity name`);
  }
  return { kind, namespace, name };
}

/** Whether an If-None-Match header names `etag` (or is `*`). */
function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map(tag => tag.trim().replace(/^W\//, ''))
    .some(tag => tag === etag || tag === '*');
}

/**
 * `GET  /entities/:kind/:namespace/:name/operations` - the Operations tab in
 *       one request, from stored snapshots;
 * `GET  /raci` - the RACI matrix config sets, which the tab resolves per
 *       entity; cacheable (ETag);
 * `POST /entities/:kind/:namespace/:name/operations/refresh` - read AWS for
 *       that entity now, rate limited.
 */
export async function createOperationsRouter(options: {
  httpAuth: HttpAuthService;
  operations: OperationsService;
}): Promise<express.Router> {
  const { httpAuth, operations } = options;
  const router = Router();

  router.get(
    '/entities/:kind/:namespace/:name/operations',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const ref = entityRefFromParams(req.params);
      res.json(await operations.getEntityOperations(ref, credentials));
    },
  );

  // The matrix changes only with config (and the entity's annotation, which
  // the tab reads from the entity), so it has a validator and may be reused
  // for five minutes; the body is built once.
  const raciBody = JSON.stringify(operations.raciConfig());
  const raciEtag = `"${createHash('sha256')
    .update(raciBody)
    .digest('base64url')
    .slice(0, 27)}"`;
  router.get('/raci', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.set('ETag', raciEtag).set('Cache-Control', 'private, max-age=300');
    if (ifNoneMatch(req.header('if-none-match'), raciEtag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(raciBody);
  });

  router.post(
    '/entities/:kind/:namespace/:name/operations/refresh',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const ref = entityRefFromParams(req.params);
      try {
        res.json(await operations.refresh(ref, credentials));
      } catch (e) {
        // No @backstage/errors class maps to 429, so this one is answered here.
        if (e instanceof RefreshRateLimitedError) {
          res
            .status(429)
            .set('Retry-After', String(e.retryAfterSeconds))
            .json({
              error: { name: e.name, message: e.message },
              response: { statusCode: 429 },
            });
          return;
        }
        throw e;
      }
    },
  );

  return router;
}
