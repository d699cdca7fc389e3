import { InfoCard, Link, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  EXECUTION_OUTPUTS,
  type Rfc,
  type RfcExecution,
  type RfcExecutionLogEvent,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useRef, useState } from 'react';
import { opsApiRef } from '../../api';
import { errorMessage } from '../shared/errors';
import { formatTime } from '../shared/time';

/** How often the page reads the execution while it runs. */
const POLL_MS = 3_000;
/** Lines kept on the page; the scaffolder keeps the whole log. */
const MAX_LINES = 500;

const OUTPUT_LABELS: Record<string, string> = {
  [EXECUTION_OUTPUTS.provisionedProductId]: 'Provisioned product',
  [EXECUTION_OUTPUTS.recordId]: 'Service Catalog record',
  [EXECUTION_OUTPUTS.stackEntityRef]: 'Stack',
  [EXECUTION_OUTPUTS.maintenanceWindowId]: 'Maintenance window',
  [EXECUTION_OUTPUTS.patchBaselineId]: 'Patch baseline',
  [EXECUTION_OUTPUTS.commandId]: 'Patch run (Run Command)',
  [EXECUTION_OUTPUTS.backupPlanId]: 'Backup plan',
  [EXECUTION_OUTPUTS.backupSelectionId]: 'Backup selection',
  [EXECUTION_OUTPUTS.backupJobId]: 'Backup job',
  [EXECUTION_OUTPUTS.snapshotId]: 'Snapshot',
  [EXECUTION_OUTPUTS.restoreJobId]: 'Restore job',
};

const STEP_COLOURS: Record<string, 'primary' | 'secondary' | 'default'> = {
  completed: 'primary',
  failed: 'secondary',
};

/** The RFC is executing, or about to, so the page keeps reading. */
export function isExecutionLive(rfc: Rfc): boolean {
  return (
    rfc.automation === 'automated' &&
    (rfc.status === 'InProgress' ||
      (rfc.status === 'Scheduled' &&
        (!rfc.requestedStartTime ||
          Date.parse(rfc.requestedStartTime) <= Date.now())))
  );
}

/**
 * What the executor did for an automated RFC: its task's steps, its log
 * lines as they come, the outputs of each attempt (with a link to the stack
 * it provisioned), and why it failed.
 */
export const RfcExecutionCard = (props: {
  rfc: Rfc;
  /** Asks the page to read the RFC again, e.g. when the execution ended. */
  onEnded?: () => void;
}) => {
  const { rfc, onEnded } = props;
  const opsApi = useApi(opsApiRef);
  const [execution, setExecution] = useState<RfcExecution>();
  const [lines, setLines] = useState<RfcExecutionLogEvent[]>([]);
  const [error, setError] = useState<string>();
  const live = isExecutionLive(rfc);
  const lastLine = useRef<number | undefined>(undefined);
  const taskId = useRef<string | undefined>(undefined);
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    let stopped = false;
    const read = async () => {
      try {
        const next = await opsApi.getRfcExecution(rfc.id);
        if (stopped) return;
        setExecution(next);
        setError(undefined);
        if (next.taskId !== taskId.current) {
          taskId.current = next.taskId;
          lastLine.current = undefined;
          setLines([]);
        }
        if (next.taskId) {
          const fresh = await opsApi.getRfcExecutionLogs(
            rfc.id,
            lastLine.current,
          );
          if (stopped || fresh.length === 0) return;
          lastLine.current = fresh[fresh.length - 1].id;
          setLines(previous => [...previous, ...fresh].slice(-MAX_LINES));
        }
        const done =
          next.taskStatus &&
          ['completed', 'failed', 'cancelled'].includes(next.taskStatus);
        if (done && rfc.status === 'InProgress') ended.current?.();
      } catch (e) {
        if (!stopped) setError(errorMessage(e as Error));
      }
    };
    read();
    const timer = live ? setInterval(read, POLL_MS) : undefined;
    return () => {
      stopped = true;
      if (timer) clearInterval(timer);
    };
  }, [opsApi, rfc.id, rfc.status, live]);

  if (!execution && !error) {
    return (
      <InfoCard title="Execution">
        <Progress />
      </InfoCard>
    );
  }
  const current = execution?.outputs.filter(
    o => o.attempt === execution.attempt,
  );
  const earlier = execution?.outputs.filter(
    o => o.attempt !== execution.attempt,
  );
  return (
    <InfoCard
      title="Execution"
      subheader={
        execution && execution.attempt > 0
          ? `Attempt ${execution.attempt}${
              execution.taskStatus ? `: task ${execution.taskStatus}` : ''
            }`
          : 'Not started yet: the executor starts it once it is approved and its start time has come.'
      }
    >
      <div data-testid="rfc-execution">
        {error && <Alert severity="warning">{error}</Alert>}
        {execution?.error && (
          <Alert severity="error" data-testid="rfc-execution-error">
            {execution.error}
          </Alert>
        )}
        {execution?.stackEntityRef && (
          <Box my={1} data-testid="rfc-execution-stack">
            <Typography variant="body2">
              Stack: <EntityRefLink entityRef={execution.stackEntityRef} />
              {rfc.status !== 'Success' &&
                ' (shows in the catalog once the catalog has read it)'}
            </Typography>
          </Box>
        )}
        {execution && execution.steps.length > 0 && (
          <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} my={1}>
            {execution.steps.map(step => (
              <Chip
                key={step.id}
                size="small"
                label={`${step.name}: ${step.status}`}
                color={STEP_COLOURS[step.status] ?? 'default'}
                variant={step.status === 'skipped' ? 'outlined' : 'default'}
              />
            ))}
          </Box>
        )}
        {current && current.length > 0 && (
          <Table size="small" data-testid="rfc-execution-outputs">
            <TableBody>
              {current.map(o => (
                <TableRow key={`${o.stepId}-${o.name}`}>
                  <TableCell>{OUTPUT_LABELS[o.name] ?? o.name}</TableCell>
                  <TableCell>
                    {o.name === EXECUTION_OUTPUTS.stackEntityRef ? (
                      <EntityRefLink entityRef={o.value} />
                    ) : (
                      <code>{o.value}</code>
                    )}
                  </TableCell>
                  <TableCell>{formatTime(o.at)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {earlier && earlier.length > 0 && (
          <Typography variant="caption" color="textSecondary" component="p">
            Earlier attempts produced:{' '}
            {earlier
              .map(o => `${OUTPUT_LABELS[o.name] ?? o.name} ${o.value}`)
              .join(', ')}
          </Typography>
        )}
        {lines.length > 0 && (
          <Box
            component="pre"
            data-testid="rfc-execution-log"
            mt={1}
            p={1}
            style={{
              maxHeight: 320,
              overflow: 'auto',
              whiteSpace: 'pre-wrap',
              fontSize: 12,
              background: 'rgba(127,127,127,0.08)',
            }}
          >
            {lines
              .filter(l => l.type === 'log' && l.message)
              .map(
                l =>
                  `${l.at.slice(11, 19)} ${l.stepId ? `[${l.stepId}] ` : ''}${
                    l.message
                  }`,
              )
              .join('\n')}
          </Box>
        )}
        {execution?.taskId && (
          <Typography variant="caption" color="textSecondary" component="p">
            Scaffolder task{' '}
            <Link to={`/create/tasks/${encodeURIComponent(execution.taskId)}`}>
              {execution.taskId}
            </Link>
          </Typography>
        )}
      </div>
    </InfoCard>
  );
};
