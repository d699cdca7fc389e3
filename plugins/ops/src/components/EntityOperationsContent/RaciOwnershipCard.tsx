import { Link } from '@backstage/core-components';
import { EntityRefLinks } from '@backstage/plugin-catalog-react';
import {
  RACI_CAPABILITIES,
  RaciCapability,
  ResolvedRaciActivity,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { useState } from 'react';
import { CardState, OperationsCard } from './OperationsCard';

/**
 * Who holds which role for this entity, capability by capability, with the
 * owning team and Central IT resolved to their groups.
 */
export const RaciOwnershipCard = (props: {
  state: CardState;
  activities?: ResolvedRaciActivity[];
  warnings?: string[];
  matrixLink: string;
}) => {
  const { state, activities, warnings, matrixLink } = props;
  const [capability, setCapability] =
    useState<RaciCapability>('change-management');
  const rows = (activities ?? []).filter(a => a.capability === capability);
  return (
    <OperationsCard
      title="RACI ownership"
      testId="ops-card-raci"
      state={state}
      errorSubject="the RACI matrix"
      empty={
        activities && activities.length === 0
          ? { title: 'No RACI activities' }
          : undefined
      }
      action={<Link to={matrixLink}>Whole matrix</Link>}
    >
      {activities && (
        <>
          {(warnings ?? []).map(w => (
            <Box mb={1} key={w}>
              <Alert severity="warning">RACI override ignored: {w}</Alert>
            </Box>
          ))}
          <TextField
            select
            label="Capability"
            value={capability}
            onChange={e => setCapability(e.target.value as RaciCapability)}
            size="small"
            variant="outlined"
            fullWidth
            SelectProps={{
              SelectDisplayProps: { 'aria-label': 'Capability' } as any,
            }}
          >
            {(Object.keys(RACI_CAPABILITIES) as RaciCapability[]).map(c => (
              <MenuItem key={c} value={c}>
                {RACI_CAPABILITIES[c]}
              </MenuItem>
            ))}
          </TextField>
          <Table size="small" aria-label="RACI for this entity">
            <TableHead>
              <TableRow>
                <TableCell>Activity</TableCell>
                <TableCell>Responsible</TableCell>
                <TableCell>Consulted</TableCell>
                <TableCell>Informed</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(row => (
                <TableRow key={row.id}>
                  <TableCell>{row.activity}</TableCell>
                  <TableCell>
                    <EntityRefLinks
                      entityRefs={row.responsible}
                      defaultKind="group"
                    />
                  </TableCell>
                  <TableCell>
                    <EntityRefLinks
                      entityRefs={row.consulted}
                      defaultKind="group"
                    />
                  </TableCell>
                  <TableCell>
                    <EntityRefLinks
                      entityRefs={row.informed}
                      defaultKind="group"
                    />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </OperationsCard>
  );
};
