import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { FreezeWindow } from '@cloud-ops/plugin-ops-common';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { opsApiRef } from '../../api';
import { errorMessage } from '../shared/errors';
import { scopeLabel, shortRef, sideLabel } from './calendarModel';
import { ConfirmDialog } from './ConfirmDialog';

const local = (value: string) => value.replace('T', ' ');

/** What a freeze covers, with every ref of a list of entities. */
const ScopeCell = ({ freeze }: { freeze: FreezeWindow }) => (
  <>
    {scopeLabel(freeze.scope)}
    {freeze.scope.type === 'entities' && freeze.scope.refs.length > 1 && (
      <Typography variant="caption" display="block">
        {freeze.scope.refs.join(', ')}
      </Typography>
    )}
    <Typography variant="caption" display="block" color="textSecondary">
      {sideLabel(freeze)}
    </Typography>
  </>
);

/**
 * The freezes with an occurrence in the period, and for those who may, a
 * way to lift one. Lifting names the version that was read, so a freeze
 * someone changed meanwhile is reloaded rather than lifted blind.
 */
export const FreezeList = (props: {
  freezes: FreezeWindow[];
  /** Whether the person may change or lift it (the server decides too). */
  canLift: (freeze: FreezeWindow) => boolean;
  onChanged: () => void;
  /** Opens the freeze to change it. */
  onEdit?: (freeze: FreezeWindow) => void;
}) => {
  const { freezes, canLift, onChanged, onEdit } = props;
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const [lifting, setLifting] = useState<FreezeWindow>();
  const [busy, setBusy] = useState(false);

  const lift = async (freeze: FreezeWindow) => {
    setBusy(true);
    try {
      await opsApi.liftFreeze(freeze.id, freeze.version);
      alertApi.post({
        message: `The freeze ${freeze.id} "${freeze.name}" is lifted`,
        severity: 'success',
        display: 'transient',
      });
    } catch (e: any) {
      alertApi.post(
        e?.statusCode === 409
          ? {
              message: `${
                freeze.id
              } was changed by someone else; the calendar has been reloaded. ${errorMessage(
                e,
              )}`,
              severity: 'warning',
            }
          : {
              message: `Could not lift ${freeze.id}: ${errorMessage(e)}`,
              severity: 'error',
            },
      );
    } finally {
      setBusy(false);
      setLifting(undefined);
      onChanged();
    }
  };

  return (
    <InfoCard title="Freezes in this period" noPadding>
      {freezes.length === 0 ? (
        <Typography variant="body2" style={{ padding: 16 }}>
          No freeze falls in this period.
        </Typography>
      ) : (
        <Table size="small" aria-label="Freezes in this period">
          <TableHead>
            <TableRow>
              <TableCell>Freeze</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell>Covers</TableCell>
              <TableCell>When</TableCell>
              <TableCell>Declared by</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {freezes.map(f => (
              <TableRow key={f.id} data-testid={`freeze-row-${f.id}`}>
                <TableCell>
                  <strong>{f.name}</strong>
                  <Typography variant="caption" display="block">
                    {f.id}
                  </Typography>
                </TableCell>
                <TableCell>{f.reason}</TableCell>
                <TableCell>
                  <ScopeCell freeze={f} />
                </TableCell>
                <TableCell>
                  {local(f.start)} – {local(f.end)} ({f.timezone})
                  {f.rrule && (
                    <Typography variant="caption" display="block">
                      Repeats {f.rrule}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{shortRef(f.declaredBy, 'user')}</TableCell>
                <TableCell align="right">
                  {canLift(f) && onEdit && (
                    <Button
                      size="small"
                      aria-label={`Change ${f.id} ${f.name}`}
                      onClick={() => onEdit(f)}
                    >
                      Change
                    </Button>
                  )}
                  {canLift(f) && (
                    <Button
                      size="small"
                      variant="outlined"
                      color="secondary"
                      aria-label={`Lift ${f.id} ${f.name}`}
                      onClick={() => setLifting(f)}
                    >
                      Lift
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <ConfirmDialog
        open={Boolean(lifting)}
        title={lifting ? `Lift the freeze "${lifting.name}"?` : ''}
        confirm="Lift freeze"
        busy={busy}
        onClose={() => setLifting(undefined)}
        onConfirm={() => lifting && lift(lifting)}
      >
        {lifting
          ? `${lifting.id} stops holding changes for all its occurrences, including later ones. Changes it held may start as soon as it is lifted.`
          : ''}
      </ConfirmDialog>
    </InfoCard>
  );
};
