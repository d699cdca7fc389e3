import { rfc } from '../../__testUtils__/fixtures';
import { RfcEditValues, rfcChanges } from './RfcEditForm';

const unchanged = (): RfcEditValues => {
  const r = rfc();
  return {
    title: r.title,
    description: r.description,
    implementationPlan: r.implementationPlan,
    testPlan: r.testPlan,
    rollbackPlan: r.rollbackPlan,
    peerReviewer: '',
    risk: r.risk,
    start: '',
    end: '',
    parameters: { ...r.parameters },
  };
};

describe('rfcChanges', () => {
  it('sends nothing when nothing changed', () => {
    expect(rfcChanges(rfc(), unchanged())).toEqual({});
  });

  it('sends changed fields only, and null to clear an optional one', () => {
    const draft = rfc({
      peerReviewer: 'user:default/priya',
      requestedStartTime: '2026-03-05T10:00:00.000Z',
    });
    expect(
      rfcChanges(draft, {
        ...unchanged(),
        testPlan: 'Compare row counts.',
        peerReviewer: '  ',
        start: '',
        end: '2026-03-06T10:00',
        parameters: { snapshotId: 'snap-0999' },
      }),
    ).toEqual({
      testPlan: 'Compare row counts.',
      peerReviewer: null,
      requestedStartTime: null,
      requestedEndTime: new Date('2026-03-06T10:00').toISOString(),
      parameters: { snapshotId: 'snap-0999' },
    });
  });
});
