import { RACI_MATRIX } from '@cloud-ops/plugin-ops-common';
import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { filterRaciMatrix, RaciMatrixPage } from './RaciMatrixPage';

describe('RaciMatrixPage', () => {
  it('filters by capability and by what one party does', () => {
    const rows = filterRaciMatrix(
      RACI_MATRIX,
      'continuity-management',
      'team:R',
    );
    expect(rows.map(r => r.id)).toEqual([
      'continuity-management.backup-schedule',
      'continuity-management.validate-backups',
      'continuity-management.request-restore',
      'continuity-management.restore-apps',
    ]);
    expect(filterRaciMatrix(RACI_MATRIX, 'all', 'any')).toHaveLength(
      RACI_MATRIX.length,
    );
    expect(
      filterRaciMatrix(RACI_MATRIX, 'all', 'centralIt:C').every(
        r => r.centralIt === 'C',
      ),
    ).toBe(true);
  });

  it('shows the whole seed table', async () => {
    await renderInTestApp(<RaciMatrixPage />);
    expect(
      screen.getByText(
        `RACI matrix (${RACI_MATRIX.length} of ${RACI_MATRIX.length} activities)`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Application development')).toBeInTheDocument();
  });
});
