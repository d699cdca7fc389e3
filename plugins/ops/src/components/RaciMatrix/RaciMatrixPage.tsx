import { Table, TableColumn } from '@backstage/core-components';
import {
  RACI_CAPABILITIES,
  RACI_MATRIX,
  RaciActivity,
  RaciCapability,
  RaciRole,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useMemo, useState } from 'react';

const ROLE_NAMES: Record<RaciRole, string> = {
  R: 'Responsible',
  C: 'Consulted',
  I: 'Informed',
};

const columns: TableColumn<RaciActivity>[] = [
  {
    title: 'Capability',
    field: 'capability',
    render: row => RACI_CAPABILITIES[row.capability],
  },
  { title: 'Activity', field: 'activity' },
  { title: 'BU team', field: 'team', render: row => ROLE_NAMES[row.team] },
  {
    title: 'Central IT',
    field: 'centralIt',
    render: row => ROLE_NAMES[row.centralIt],
  },
];

type PartyFilter = 'any' | `${'team' | 'centralIt'}:${RaciRole}`;

/** Picks rows by capability and by what one party does; exported for tests. */
export function filterRaciMatrix(
  rows: readonly RaciActivity[],
  capability: RaciCapability | 'all',
  party: PartyFilter,
): RaciActivity[] {
  return rows.filter(row => {
    if (capability !== 'all' && row.capability !== capability) return false;
    if (party === 'any') return true;
    const [who, role] = party.split(':') as ['team' | 'centralIt', RaciRole];
    return row[who] === role;
  });
}

/** The whole RACI matrix of the operating model, filterable. */
export const RaciMatrixPage = () => {
  const [capability, setCapability] = useState<RaciCapability | 'all'>('all');
  const [party, setParty] = useState<PartyFilter>('any');
  const rows = useMemo(
    () => filterRaciMatrix(RACI_MATRIX, capability, party),
    [capability, party],
  );
  return (
    <>
      <Box display="flex" mb={2} style={{ gap: 16 }}>
        <TextField
          select
          label="Capability"
          variant="outlined"
          size="small"
          style={{ minWidth: 280 }}
          value={capability}
          onChange={e =>
            setCapability(e.target.value as RaciCapability | 'all')
          }
          inputProps={{ 'data-testid': 'raci-capability' }}
        >
          <MenuItem value="all">All capabilities</MenuItem>
          {(Object.keys(RACI_CAPABILITIES) as RaciCapability[]).map(c => (
            <MenuItem key={c} value={c}>
              {RACI_CAPABILITIES[c]}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="Party"
          variant="outlined"
          size="small"
          style={{ minWidth: 280 }}
          value={party}
          onChange={e => setParty(e.target.value as PartyFilter)}
          inputProps={{ 'data-testid': 'raci-party' }}
        >
          <MenuItem value="any">Any party, any role</MenuItem>
          {(['team', 'centralIt'] as const).flatMap(who =>
            (['R', 'C', 'I'] as RaciRole[]).map(role => (
              <MenuItem key={`${who}:${role}`} value={`${who}:${role}`}>
                {who === 'team' ? 'BU team' : 'Central IT'} is{' '}
                {ROLE_NAMES[role]}
              </MenuItem>
            )),
          )}
        </TextField>
      </Box>
      <Table<RaciActivity>
        title={`RACI matrix (${rows.length} of ${RACI_MATRIX.length} activities)`}
        columns={columns}
        data={rows}
        options={{ paging: true, pageSize: 20, search: true, padding: 'dense' }}
      />
    </>
  );
};
