import Grid from '@material-ui/core/Grid';
import { useApi } from '@backstage/core-plugin-api';
import { useEffect } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { opsApiRef } from '../../api';
import { AuditExportCard } from './AuditExportCard';
import { AuditVerificationCard } from './AuditVerificationCard';

/**
 * The audit log for Central IT and auditors: whether its hash chains hold,
 * and an export of a period. Shown to those with `ops.audit.read`.
 */
export const AuditPage = () => {
  const opsApi = useApi(opsApiRef);
  const [verification, verify] = useAsyncFn(
    () => opsApi.verifyAudit(),
    [opsApi],
    { loading: true },
  );
  useEffect(() => {
    verify();
  }, [verify]);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <AuditVerificationCard
          loading={verification.loading}
          error={verification.error}
          verification={verification.value}
          onVerify={verify}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <AuditExportCard />
      </Grid>
    </Grid>
  );
};
