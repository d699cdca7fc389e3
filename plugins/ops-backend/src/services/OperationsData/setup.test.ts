import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import { opsPlugin } from '../../plugin';

jest.setTimeout(60_000);

function load(file: string): Entity[] {
  return parseAllDocuments(
    fs.readFileSync(
      path.resolve(__dirname, '../../../../../examples', file),
      'utf8',
    ),
  ).map(d => d.toJSON() as Entity);
}

describe('operations data in the ops plugin, sandbox', () => {
  const entities = [...load('org.yaml'), ...load('entities.yaml')];
  const components = entities.filter(e => e.kind === 'Component');

  it('answers the operations request for every example component with coherent sandbox data', async () => {
    const { server } = await startTestBackend({
      features: [
        opsPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.rootConfig.factory({
          data: {
            ops: {
              centralIt: { group: 'group:default/central-it' },
              aws: { implementation: 'sandbox' },
              tagPolicy: {
                rules: [
                  {
                    kind: 'Component',
                    required: ['cost-center', 'environment'],
                  },
                ],
              },
            },
          },
        }),
      ],
    });
    const auth = mockCredentials.user.header('user:default/ana');
    expect(components.length).toBeGreaterThanOrEqual(4);
    const states = new Set<string>();
    for (const c of components) {
      const base = `/api/ops/entities/component/default/${c.metadata.name}/operations`;
      const refreshed = await request(server)
        .post(`${base}/refresh`)
        .set('Authorization', auth);
      expect(refreshed.status).toBe(200);
      const res = await request(server).get(base).set('Authorization', auth);
      expect(res.status).toBe(200);
      for (const kind of ['alarms', 'patch', 'backups']) {
        expect(res.body[kind]).toMatchObject({
          source: 'sandbox',
          stale: false,
        });
        expect(res.body[kind].data).not.toBeNull();
      }
      // Alarms belong to the component's own stack.
      for (const a of res.body.alarms.data.alarms) {
        expect(a.name.startsWith(c.metadata.name)).toBe(true);
        states.add(`alarm:${a.state}`);
      }
      for (const i of res.body.patch.data.instances)
        states.add(i.compliant ? 'patched' : 'unpatched');
      for (const b of res.body.backups.data.resources)
        states.add(b.overdue ? 'overdue' : 'backed-up');
      expect(res.body.raci.activities.length).toBeGreaterThan(50);
      expect(res.body.tagCompliance.violations).toEqual(expect.any(Array));
      // Wired to the RFC store; no RFCs exist yet in this backend.
      expect(res.body.recentRfcs).toEqual({ available: true, items: [] });
    }
    expect(states).toEqual(
      new Set([
        'alarm:ALARM',
        'alarm:OK',
        'patched',
        'unpatched',
        'overdue',
        'backed-up',
      ]),
    );
  });
});
