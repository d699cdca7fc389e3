import { InfoCard } from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import type { AuditExportFormat } from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import GetAppIcon from '@material-ui/icons/GetApp';
import { useState } from 'react';
import { opsApiRef } from '../../api';
import { saveTextFile } from '../Reports/format';
import { errorMessage } from '../shared/errors';
import { exportPeriod, monthStartUtc, todayUtc } from './auditPeriod';

const FORMATS: { value: AuditExportFormat; label: string; type: string }[] = [
  {
    value: 'jsonl',
    label: 'JSON Lines (to verify)',
    type: 'application/x-ndjson',
  },
  { value: 'csv', label: 'CSV (for spreadsheets)', type: 'text/csv' },
];

/** Downloads the audit entries of a period, as JSON Lines or CSV. */
export const AuditExportCard = () => {
  const opsApi = useApi(opsApiRef);
  const alertApi = useApi(alertApiRef);
  const [from, setFrom] = useState(monthStartUtc());
  const [to, setTo] = useState(todayUtc());
  const [format, setFormat] = useState<AuditExportFormat>('jsonl');
  const [downloading, setDownloading] = useState(false);
  const period = exportPeriod(from, to);
  const problem = 'problem' in period ? period.problem : undefined;

  const download = async () => {
    if ('problem' in period) return;
    setDownloading(true);
    try {
      const file = await opsApi.exportAudit({ ...period, format });
      saveTextFile(
        file.blob,
        file.fileName,
        FORMATS.find(f => f.value === format)!.type,
      );
    } catch (e: any) {
      alertApi.post({
        message: `Could not export the audit log: ${errorMessage(e)}`,
        severity: 'error',
      });
    } finally {
      setDownloading(false);
    }
  };

  return (
    <InfoCard
      title="Export"
      subheader="Entries appended from the first day to the last, both included (UTC); at most 366 days at once"
    >
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="flex-start"
        style={{ gap: 12 }}
      >
        <TextField
          id="audit-from"
          label="First day"
          type="date"
          variant="outlined"
          size="small"
          InputLabelProps={{ shrink: true }}
          value={from}
          onChange={e => setFrom(e.target.value)}
        />
        <TextField
          id="audit-to"
          label="Last day"
          type="date"
          variant="outlined"
          size="small"
          InputLabelProps={{ shrink: true }}
          value={to}
          error={Boolean(problem)}
          helperText={problem}
          onChange={e => setTo(e.target.value)}
        />
        <TextField
          select
          id="audit-format"
          label="Format"
          variant="outlined"
          size="small"
          style={{ minWidth: 220 }}
          value={format}
          onChange={e => setFormat(e.target.value as AuditExportFormat)}
        >
          {FORMATS.map(f => (
            <MenuItem key={f.value} value={f.value}>
              {f.label}
            </MenuItem>
          ))}
        </TextField>
        <Button
          variant="contained"
          color="primary"
          startIcon={<GetAppIcon />}
          disabled={downloading || Boolean(problem)}
          onClick={download}
        >
          Download
        </Button>
      </Box>
    </InfoCard>
  );
};
