import {
  allowedRfcActions,
  decideRfcTransition,
  resolveRfcApprovingSide,
  resolveRfcOrigin,
  type RfcActor,
  type RfcLifecycleFacts,
} from './stateMachine';
import {
  formatRfcId,
  parseRfcId,
  RFC_ACTIONS,
  RFC_STATUSES,
  type RfcAction,
  type RfcStatus,
} from './types';

const CENTRAL_IT = 'group:default/central-it';
const PAYMENTS = 'group:default/payments';

const user = (name: string, ...groups: string[]): RfcActor => ({
  kind: 'user',
  userEntityRef: `user:default/${name}`,
  ownershipEntityRefs: [`user:default/${name}`, ...groups],
});

const actors = {
  requester: user('ana', PAYMENTS),
  teammate: user('priya', PAYMENTS),
  centralIt: user('omar', CENTRAL_IT),
  outsider: user('wei', 'group:default/web'),
  system: { kind: 'system' } as RfcActor,
};
type ActorName = keyof typeof actors;

const now = new Date('2026-03-01T12:00:00Z');
const past = '2026-03-01T11:00:00.000Z';
const future = '2026-03-02T11:00:00.000Z';

/** A user RFC on a payments component, so Central IT approves it. */
const facts = (
  status: RfcStatus,
  start = past,
  automation: RfcLifecycleFacts['automation'] = 'manual',
): RfcLifecycleFacts => ({
  status,
  requester: 'user:default/ana',
  ownerGroup: PAYMENTS,
  approverGroup: CENTRAL_IT,
  requestedStartTime: start,
  automation,
  changeClass: 'emergency',
});

// The lifecycle written out by hand, independent of the implementation:
// action -> [from status, to status, actors allowed].
const stakeholders: ActorName[] = ['requester', 'teammate', 'centralIt'];
type Expected = Record<
  RfcAction,
  [RfcStatus[], RfcStatus | 'unchanged', ActorName[]]
>;
/** A manual change type: people carry it out. */
const MANUAL: Expected = {
  edit: [['Editing'], 'Editing', ['requester']],
  submit: [['Editing'], 'PendingApproval', ['requester']],
  approve: [['PendingApproval'], 'Scheduled', ['centralIt']],
  reject: [['PendingApproval'], 'Rejected', ['centralIt']],
  cancel: [
    ['Editing', 'PendingApproval', 'Scheduled'],
    'Canceled',
    stakeholders,
  ],
  // Central IT carries out manual changes; never the requester.
  start: [['Scheduled'], 'InProgress', ['centralIt']],
  succeed: [['InProgress'], 'Success', ['centralIt']],
  fail: [['InProgress'], 'Failure', ['centralIt']],
  retry: [['Failure'], 'Scheduled', stakeholders],
  expire: [['PendingApproval'], 'Rejected', ['system']],
  // The executor's waiting for a freeze changes no status.
  hold: [['Scheduled'], 'Scheduled', ['system']],
  release: [['Scheduled'], 'Scheduled', ['system']],
  // An emergency's review, after it ran.
  review: [['Success', 'Failure'], 'unchanged', stakeholders],
};
/** An automated change type: only the executor starts and completes it. */
const AUTOMATED: Expected = {
  ...MANUAL,
  start: [['Scheduled'], 'InProgress', ['system']],
  succeed: [['InProgress'], 'Success', ['system']],
  fail: [['InProgress'], 'Failure', ['system']],
};
const EXPECTED = { manual: MANUAL, automated: AUTOMATED };

describe('decideRfcTransition', () => {
  const cases = (['manual', 'automated'] as const).flatMap(automation =>
    RFC_STATUSES.flatMap(status =>
      RFC_ACTIONS.flatMap(action =>
        (Object.keys(actors) as ActorName[]).map(
          actor => [automation, status, action, actor] as const,
        ),
      ),
    ),
  );

  it('covers every kind of change type, status, action and kind of actor', () => {
    expect(cases).toHaveLength(2 * 8 * 13 * 5);
  });

  it.each(cases)(
    '%s: %s + %s by %s',
    (automation, status, action, actorName) => {
      const decision = decideRfcTransition(action, {
        rfc: facts(status, past, automation),
        actor: actors[actorName],
        centralItGroup: CENTRAL_IT,
        now,
      });
      const [from, to, who] = EXPECTED[automation][action];
      const anyReason = expect.any(String);
      let expected: object = {
        allowed: true,
        to: to === 'unchanged' ? status : to,
      };
      if (!from.includes(status)) {
        expected = { allowed: false, kind: 'state', reason: anyReason };
      } else if (!who.includes(actorName)) {
        expected = { allowed: false, kind: 'actor', reason: anyReason };
      }
      expect(decision).toEqual(expected);
    },
  );

  it('expires an approved RFC only while a freeze holds it and once its requested end has passed', () => {
    const hold = {
      freezeId: 'FRZ-000001',
      freezeName: 'Year end',
      reason: 'peak',
      until: future,
      since: past,
      checkedAt: past,
    };
    const ctx = { centralItGroup: CENTRAL_IT, now, actor: actors.system };
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        rfc: { ...facts('Scheduled'), hold, requestedEndTime: past },
      }),
    ).toEqual({ allowed: true, to: 'Rejected' });
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        rfc: { ...facts('Scheduled'), hold, requestedEndTime: future },
      }),
    ).toMatchObject({ allowed: false, kind: 'time' });
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        rfc: { ...facts('Scheduled'), requestedEndTime: past },
      }),
    ).toMatchObject({ allowed: false, kind: 'state' });
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        actor: actors.centralIt,
        rfc: { ...facts('Scheduled'), hold, requestedEndTime: past },
      }),
    ).toMatchObject({ allowed: false, kind: 'actor' });
  });

  it('reviews only emergency changes, once', () => {
    const ctx = { centralItGroup: CENTRAL_IT, now, actor: actors.teammate };
    expect(
      decideRfcTransition('review', {
        ...ctx,
        rfc: { ...facts('Success'), changeClass: 'normal' },
      }),
    ).toMatchObject({
      allowed: false,
      kind: 'state',
      reason: expect.stringContaining('only emergency changes'),
    });
    expect(
      decideRfcTransition('review', {
        ...ctx,
        rfc: {
          ...facts('Failure'),
          review: {
            whatHappened: 'x',
            rootCause: 'PRB-000001',
            followUp: 'y',
            reviewedBy: 'user:default/priya',
            reviewedAt: past,
            onTime: true,
          },
        },
      }),
    ).toMatchObject({
      allowed: false,
      kind: 'state',
      reason: expect.stringContaining('written already'),
    });
  });

  it('never lets the requester approve, even as a member of the approving side', () => {
    const requesterInCentralIt = user('omar', CENTRAL_IT);
    const decision = decideRfcTransition('approve', {
      rfc: { ...facts('PendingApproval'), requester: 'user:default/omar' },
      actor: requesterInCentralIt,
      centralItGroup: CENTRAL_IT,
      now,
    });
    expect(decision).toMatchObject({ allowed: false, kind: 'actor' });
    expect(decision.allowed || decision.reason).toMatch(/their own RFC/);
  });

  it('routes a Central IT RFC to the owning team', () => {
    const rfc = {
      ...facts('PendingApproval'),
      requester: 'user:default/omar',
      approverGroup: PAYMENTS,
    };
    const ctx = { rfc, centralItGroup: CENTRAL_IT, now };
    expect(
      decideRfcTransition('approve', { ...ctx, actor: actors.teammate }),
    ).toEqual({ allowed: true, to: 'Scheduled' });
    expect(
      decideRfcTransition('approve', {
        ...ctx,
        actor: user('lena', CENTRAL_IT),
      }),
    ).toMatchObject({ allowed: false, kind: 'actor' });
  });

  it('never lets the requester carry out their own manual change, even in Central IT', () => {
    const decision = decideRfcTransition('start', {
      rfc: { ...facts('Scheduled'), requester: 'user:default/omar' },
      actor: actors.centralIt,
      centralItGroup: CENTRAL_IT,
      now,
    });
    expect(decision).toMatchObject({ allowed: false, kind: 'actor' });
    expect(decision.allowed || decision.reason).toMatch(/their own RFC/);
  });

  it('waits for the requested start time before starting', () => {
    const ctx = { centralItGroup: CENTRAL_IT, now, actor: actors.centralIt };
    expect(
      decideRfcTransition('start', { ...ctx, rfc: facts('Scheduled', future) }),
    ).toMatchObject({ allowed: false, kind: 'time' });
    expect(
      decideRfcTransition('start', {
        ...ctx,
        rfc: { ...facts('Scheduled'), requestedStartTime: undefined },
      }),
    ).toEqual({ allowed: true, to: 'InProgress' });
  });

  it('expires only RFCs whose start time has passed', () => {
    const ctx = { centralItGroup: CENTRAL_IT, now, actor: actors.system };
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        rfc: facts('PendingApproval', future),
      }),
    ).toMatchObject({ allowed: false, kind: 'time' });
    expect(
      decideRfcTransition('expire', {
        ...ctx,
        rfc: { ...facts('PendingApproval'), requestedStartTime: undefined },
      }),
    ).toMatchObject({ allowed: false, kind: 'time' });
  });

  it('schedules a submitted RFC at once when nobody needs to approve', () => {
    expect(
      decideRfcTransition('submit', {
        rfc: { ...facts('Editing'), approverGroup: undefined },
        actor: actors.requester,
        centralItGroup: CENTRAL_IT,
        now,
      }),
    ).toEqual({ allowed: true, to: 'Scheduled' });
  });
});

describe('allowedRfcActions', () => {
  it('offers the approving side approve, reject and cancel', () => {
    expect(
      allowedRfcActions({
        rfc: facts('PendingApproval'),
        actor: actors.centralIt,
        centralItGroup: CENTRAL_IT,
        now,
      }),
    ).toEqual(['approve', 'reject', 'cancel']);
  });

  it('offers only a retry on a failed RFC, and only to its stakeholders', () => {
    for (const [name, actor] of Object.entries(actors)) {
      expect(
        allowedRfcActions({
          rfc: {
            ...facts('Failure', past, 'automated'),
            changeClass: 'normal',
          },
          actor,
          centralItGroup: CENTRAL_IT,
          now,
        }),
      ).toEqual(stakeholders.includes(name as ActorName) ? ['retry'] : []);
    }
  });

  it('offers nothing on an RFC that ended otherwise', () => {
    for (const status of ['Success', 'Rejected', 'Canceled'] as const) {
      for (const actor of Object.values(actors)) {
        expect(
          allowedRfcActions({
            rfc: { ...facts(status), changeClass: 'normal' },
            actor,
            centralItGroup: CENTRAL_IT,
            now,
          }),
        ).toEqual([]);
      }
    }
  });

  it('offers the review of an executed emergency to its stakeholders', () => {
    for (const [name, actor] of Object.entries(actors)) {
      expect(
        allowedRfcActions({
          rfc: facts('Success'),
          actor,
          centralItGroup: CENTRAL_IT,
          now,
        }),
      ).toEqual(stakeholders.includes(name as ActorName) ? ['review'] : []);
    }
  });
});

describe('resolveRfcApprovingSide', () => {
  const base = {
    ownerGroup: PAYMENTS,
    centralItGroup: CENTRAL_IT,
    submitterOwnershipRefs: ['user:default/ana', PAYMENTS],
  };
  it.each([
    ['by-origin', 'user', 'central-it', CENTRAL_IT],
    ['by-origin', 'central-it', 'owning-team', PAYMENTS],
    ['central-it', 'central-it', 'central-it', CENTRAL_IT],
    ['owning-team', 'user', 'owning-team', PAYMENTS],
    ['none', 'user', 'none', undefined],
    ['none-if-submitter-approves', 'central-it', 'none', undefined],
    ['none-if-submitter-approves', 'user', 'central-it', CENTRAL_IT],
  ] as const)('%s rule, %s origin -> %s', (rule, origin, side, group) => {
    expect(resolveRfcApprovingSide({ ...base, rule, origin })).toEqual(
      group ? { side, group } : { side },
    );
  });

  it.each([
    ['none', 'user', 'central-it', CENTRAL_IT],
    ['none', 'central-it', 'owning-team', PAYMENTS],
    ['none-if-submitter-approves', 'central-it', 'owning-team', PAYMENTS],
    ['central-it', 'central-it', 'central-it', CENTRAL_IT],
  ] as const)(
    'gives an emergency of a %s rule and %s origin one approval: %s',
    (rule, origin, side, group) => {
      expect(
        resolveRfcApprovingSide({ ...base, rule, origin, emergency: true }),
      ).toEqual({ side, group });
    },
  );
});

describe('resolveRfcOrigin', () => {
  it('is central-it only for members of the Central IT group', () => {
    expect(
      resolveRfcOrigin(['user:default/omar', CENTRAL_IT], CENTRAL_IT),
    ).toBe('central-it');
    expect(resolveRfcOrigin(['user:default/ana', PAYMENTS], CENTRAL_IT)).toBe(
      'user',
    );
  });
});

describe('RFC ids', () => {
  it('formats and parses', () => {
    expect(formatRfcId(123)).toBe('RFC-000123');
    expect(parseRfcId('RFC-000123')).toBe(123);
    expect(parseRfcId('RFC-1234567')).toBe(1234567);
    expect(parseRfcId('RFC-12')).toBeUndefined();
    expect(parseRfcId('RFC-000000')).toBeUndefined();
    expect(parseRfcId('rfc-000123')).toBeUndefined();
  });
});
