import type { Rfc } from '@cloud-ops/plugin-ops-common';
import { notificationsForTransition } from './rfcNotifications';

const rfc = (overrides: Partial<Rfc>): Rfc => ({
  id: 'RFC-000042',
  changeTypeId: 'rds-postgres',
  changeTypeVersion: '1.0',
  title: 'Ledger database',
  description: 'd',
  targetEntityRef: 'component:default/payments-ledger',
  parameters: {},
  automation: 'automated',
  ownerGroup: 'group:default/payments',
  origin: 'user',
  requester: 'user:default/priya',
  approvalRule: 'central-it',
  approverGroup: 'group:default/central-it',
  implementationPlan: 'i',
  testPlan: 't',
  rollbackPlan: 'r',
  risk: 'medium',
  status: 'InProgress',
  approvals: [],
  attempt: 1,
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  version: 4,
  ...overrides,
});

describe('notificationsForTransition when an execution ends', () => {
  it('tells the requester that the change was carried out', () => {
    const notes = notificationsForTransition(
      rfc({}),
      rfc({ status: 'Success', outcomeNotes: 'Provisioned pp-1.' }),
      'system:ops-executor',
    );
    expect(notes).toEqual([
      expect.objectContaining({
        recipients: ['user:default/priya'],
        exclude: ['system:ops-executor'],
        topic: 'rfc-executed',
        title: 'RFC-000042 was carried out',
        description: 'Ledger database: Provisioned pp-1.',
        link: '/ops/rfcs/RFC-000042',
      }),
    ]);
  });

  it('tells the requester why it failed and that it can be retried', () => {
    const [note] = notificationsForTransition(
      rfc({}),
      rfc({
        status: 'Failure',
        statusReason: 'Subnet subnet-1 does not exist',
      }),
      'system:ops-executor',
    );
    expect(note).toMatchObject({
      topic: 'rfc-executed',
      title: 'RFC-000042 failed',
      severity: 'high',
      description: expect.stringContaining(
        'Subnet subnet-1 does not exist. It can be retried',
      ),
    });
  });

  it('says nothing while it only starts', () => {
    expect(
      notificationsForTransition(
        rfc({ status: 'Scheduled' }),
        rfc({}),
        'system:ops-executor',
      ),
    ).toEqual([]);
  });
});
