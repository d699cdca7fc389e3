import { RACI_MATRIX, resolveRaci, validateRaciOverrides } from './raci';

describe('RACI matrix', () => {
  it('holds every activity of the operating model once, with one party responsible or both consulted', () => {
    expect(RACI_MATRIX).toHaveLength(97);
    expect(new Set(RACI_MATRIX.map(r => r.id)).size).toBe(RACI_MATRIX.length);
    for (const row of RACI_MATRIX) {
      expect([row.team, row.centralIt]).toContain('R');
    }
  });

  it('routes user RFC approval to Central IT and exclusions from patching to the team', () => {
    const byId = new Map(RACI_MATRIX.map(r => [r.id, r]));
    expect(byId.get('change-management.approve-user-rfc')).toMatchObject({
      team: 'I',
      centralIt: 'R',
    });
    expect(byId.get('patch-management.exclude-updates')).toMatchObject({
      team: 'R',
      centralIt: 'I',
    });
    expect(byId.get('continuity-management.validate-backups')?.team).toBe('R');
  });

  it('resolves parties to groups and applies overrides in order', () => {
    const rows = resolveRaci({
      ownerRef: 'group:default/payments',
      centralItRef: 'group:default/central-it',
      overrides: [
        { 'continuity-management.validate-backups': { centralIt: 'C' } },
        {
          'continuity-management.validate-backups': {
            team: 'C',
            centralIt: 'R',
          },
        },
      ],
    });
    const validate = rows.find(
      r => r.id === 'continuity-management.validate-backups',
    )!;
    expect(validate.responsible).toEqual(['group:default/central-it']);
    expect(validate.consulted).toEqual(['group:default/payments']);
    const approve = rows.find(
      r => r.id === 'change-management.approve-user-rfc',
    )!;
    expect(approve.responsible).toEqual(['group:default/central-it']);
    expect(approve.informed).toEqual(['group:default/payments']);
  });

  it('rejects overrides of unknown activities and roles', () => {
    expect(() =>
      resolveRaci({
        ownerRef: 'group:default/web',
        centralItRef: 'group:default/central-it',
        overrides: [{ 'patch-management.nope': { team: 'R' } }],
      }),
    ).toThrow(/Unknown RACI activity "patch-management.nope"/);
    expect(
      validateRaciOverrides({
        'patch-management.apply-updates': { team: 'X', vendor: 'R' },
        nope: {},
      }),
    ).toEqual([
      'override for "patch-management.apply-updates.team" must be R, C or I',
      'override for "patch-management.apply-updates" names unknown party "vendor"; use team or centralIt',
      'unknown RACI activity "nope"',
    ]);
    expect(validateRaciOverrides([])).toHaveLength(1);
    expect(
      validateRaciOverrides({ 'reporting.monthly-report': { team: 'C' } }),
    ).toEqual([]);
  });
});
