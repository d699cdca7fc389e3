import express from 'express';
import Router from 'express-promise-router';
import type { Knex } from 'knex';

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
