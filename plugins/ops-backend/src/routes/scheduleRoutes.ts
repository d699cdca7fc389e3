import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { ChangeScheduleService } from '../services/Schedule/ChangeScheduleService';
import type { FreezeService } from '../services/Schedule/FreezeService';
import { parseInput } from './parseInput';

const time = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time such as 2026-03-01T10:00:00Z',
});
const freezeId = z.object({
  id: z.string().regex(/^FRZ-\d{6}$/, 'must be a freeze id such as FRZ-000012'),
});
const freezeListQuery = z.strictObject({
  from: time.optional(),
  to: time.optional(),
  includeLifted: z.enum(['true', 'false']).optional(),
});
const liftBody = z.strictObject({
  version: z.number().int().positive(),
});
const scheduleQuery = z.strictObject({
  from: time,
  to: time,
  owner: z.string().trim().min(1).max(255).optional(),
});
const tokenBody = z.strictObject({
  label: z.string().trim().min(1, 'is required').max(255),
  owner: z.string().trim().min(1).max(255).optional(),
});
const tokenId = z.object({
  id: z.coerce.number().int().positive('must be a feed token id'),
});
const feedFile = z.object({
  file: z.string().regex(/^[A-Za-z0-9_-]{1,100}\.ics$/),
});

/**
 * Routes of the change schedule under `/api/ops`: freeze windows, the
 * calendar, and the iCalendar feed with its tokens. The feed itself is the
 * one route without a Backstage token: mail clients send none, so its
 * unguessable per-user token is the credential (see the plugin's auth
 * policy for `/calendar/feed`).
 */
export function createScheduleRoutes(options: {
  httpAuth: HttpAuthService;
  freezes: FreezeService;
  schedule: ChangeScheduleService;
}): express.Router {
  const { httpAuth, freezes, schedule } = options;
  const router = Router();
  router.use(express.json());
  const user = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  router.get('/freezes', async (req, res) => {
    const creds = await user(req);
    const query = parseInput(freezeListQuery, req.query, 'query');
    res.json(
      await freezes.list(
        {
          from: query.from,
          to: query.to,
          includeLifted: query.includeLifted === 'true',
        },
        creds,
      ),
    );
  });

  router.post('/freezes', async (req, res) => {
    const creds = await user(req);
    res.status(201).json(await freezes.declare(req.body, creds));
  });

  router.get('/freezes/:id', async (req, res) => {
    const creds = await user(req);
    const { id } = parseInput(freezeId, req.params, 'path');
    res.json(await freezes.get(id, creds));
  });

  router.put('/freezes/:id', async (req, res) => {
    const creds = await user(req);
    const { id } = parseInput(freezeId, req.params, 'path');
    res.json(await freezes.update(id, req.body, creds));
  });

  router.post('/freezes/:id/lift', async (req, res) => {
    const creds = await user(req);
    const { id } = parseInput(freezeId, req.params, 'path');
    const body = parseInput(liftBody, req.body, 'request body');
    res.json(await freezes.lift(id, body, creds));
  });

  router.get('/schedule', async (req, res) => {
    const creds = await user(req);
    const query = parseInput(scheduleQuery, req.query, 'query');
    res.json(await schedule.calendar(query, creds));
  });

  router.get('/calendar/feed-tokens', async (req, res) => {
    res.json({ items: await schedule.listFeedTokens(await user(req)) });
  });

  router.post('/calendar/feed-tokens', async (req, res) => {
    const creds = await user(req);
    const body = parseInput(tokenBody, req.body, 'request body');
    res.status(201).json(await schedule.issueFeedToken(body, creds));
  });

  router.delete('/calendar/feed-tokens/:id', async (req, res) => {
    const creds = await user(req);
    const { id } = parseInput(tokenId, req.params, 'path');
    await schedule.revokeFeedToken(id, creds);
    res.status(204).end();
  });

  router.get('/calendar/feed/:file', async (req, res) => {
    const parsed = feedFile.safeParse(req.params);
    const text = parsed.success
      ? await schedule.feed(parsed.data.file.slice(0, -'.ics'.length))
      : undefined;
    // Unknown, revoked and malformed tokens look alike.
    if (text === undefined) {
      res.status(404).type('text/plain').send('No such calendar feed\n');
      return;
    }
    res
      .status(200)
      .set('Cache-Control', 'private, max-age=300')
      .type('text/calendar; charset=utf-8')
      .send(text);
  });

  return router;
}
