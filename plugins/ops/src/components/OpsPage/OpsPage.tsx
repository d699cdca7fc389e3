import {
  Content,
  EmptyState,
  Header,
  HeaderTabs,
  Link,
  Page,
  Progress,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { auditReadPermission } from '@cloud-ops/plugin-ops-common';
import type { ReactNode } from 'react';
import { Route, Routes } from 'react-router-dom';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { AuditPage } from '../Audit';
import { ChangeHistoryPage } from '../ChangeHistory';
import { CreateRfcPage } from '../CreateRfc';
import {
  IncidentDetailPage,
  IncidentsPage,
  ProblemDetailPage,
} from '../Incidents';
import { RaciMatrixPage } from '../RaciMatrix';
import { PrintableReportPage, ReportsPage } from '../Reports';
import { RfcDetailPage } from '../RfcDetail';
import { RfcQueuePage } from '../RfcQueue';
import { ChangeSchedulePage } from '../Schedule';
import {
  NewServiceRequestPage,
  ServiceRequestDetailPage,
  ServiceRequestsPage,
} from '../ServiceRequests';

type TabId =
  | 'rfcs'
  | 'calendar'
  | 'history'
  | 'incidents'
  | 'service-requests'
  | 'reports'
  | 'raci'
  | 'audit';

type Tab = { id: TabId; label: string; path: string };

/** The tabs under the header; `path` is relative to where the pages are mounted. */
const TABS: Tab[] = [
  { id: 'rfcs', label: 'RFC queue', path: '' },
  { id: 'calendar', label: 'Change calendar', path: 'calendar' },
  { id: 'history', label: 'Change history', path: 'history' },
  { id: 'incidents', label: 'Incidents', path: 'incidents' },
  {
    id: 'service-requests',
    label: 'Service requests',
    path: 'service-requests',
  },
  { id: 'reports', label: 'Reports', path: 'reports' },
  { id: 'raci', label: 'RACI matrix', path: 'raci' },
];

/** Only for those who may read the audit log. */
const AUDIT_TAB: Tab = { id: 'audit', label: 'Audit', path: 'audit' };

/** The header, the tabs with `tab` selected, and the page under them. */
const Tabbed = (props: {
  base: string;
  tabs: Tab[];
  tab: TabId;
  title?: string;
  children: ReactNode;
}) => {
  const { tabs } = props;
  const index = tabs.findIndex(t => t.id === props.tab);
  const base = props.base.replace(/\/$/, '');
  return (
    <Page themeId="tool">
      <Header
        title="Cloud operations"
        pageTitleOverride={props.title ?? tabs[index].label}
        subtitle="Changes, incidents and requests of the AWS environments, and who is responsible for what"
      />
      <HeaderTabs
        selectedIndex={index}
        tabs={tabs.map(t => ({
          id: t.id,
          label: t.label,
          tabProps: {
            component: Link,
            to: t.path ? `${base}/${t.path}` : base || '/',
          } as any,
        }))}
      />
      <Content>{props.children}</Content>
    </Page>
  );
};

/**
 * The `/ops` pages: RFCs, the change calendar and the history of changes,
 * incidents and problems, service requests, monthly reports, the RACI matrix
 * and, for those allowed to read it, the audit log. The printable report has no header or tabs.
 *
 * @public
 */
export const OpsPage = () => {
  // Where the app mounted the pages, so the tabs link there.
  const base = useOpsLinks().root;
  const audit = usePermission({ permission: auditReadPermission });
  const tabs = audit.allowed ? [...TABS, AUDIT_TAB] : TABS;
  const tabbed = (tab: TabId, element: ReactNode, title?: string) => (
    <Tabbed base={base} tabs={tabs} tab={tab} title={title}>
      {element}
    </Tabbed>
  );
  return (
    <Routes>
      <Route path="reports/print" element={<PrintableReportPage />} />
      <Route path="/" element={tabbed('rfcs', <RfcQueuePage />)} />
      <Route
        path="rfcs/new"
        element={tabbed('rfcs', <CreateRfcPage />, 'New RFC')}
      />
      <Route
        path="rfcs/:id"
        element={tabbed('rfcs', <RfcDetailPage />, 'RFC')}
      />
      <Route
        path="calendar"
        element={tabbed('calendar', <ChangeSchedulePage />)}
      />
      <Route
        path="history"
        element={tabbed('history', <ChangeHistoryPage />)}
      />
      <Route
        path="incidents"
        element={tabbed('incidents', <IncidentsPage />)}
      />
      <Route
        path="incidents/:id"
        element={tabbed('incidents', <IncidentDetailPage />, 'Incident')}
      />
      <Route
        path="problems/:id"
        element={tabbed('incidents', <ProblemDetailPage />, 'Problem')}
      />
      <Route
        path="service-requests"
        element={tabbed('service-requests', <ServiceRequestsPage />)}
      />
      <Route
        path="service-requests/new"
        element={tabbed(
          'service-requests',
          <NewServiceRequestPage />,
          'New service request',
        )}
      />
      <Route
        path="service-requests/:id"
        element={tabbed(
          'service-requests',
          <ServiceRequestDetailPage />,
          'Service request',
        )}
      />
      <Route path="reports" element={tabbed('reports', <ReportsPage />)} />
      <Route path="raci" element={tabbed('raci', <RaciMatrixPage />)} />
      {audit.allowed && (
        <Route path="audit" element={tabbed('audit', <AuditPage />)} />
      )}
      {audit.loading && <Route path="audit" element={<Progress />} />}
      <Route
        path="*"
        element={tabbed(
          'rfcs',
          <EmptyState
            missing="info"
            title="There is no such page"
            description="Pick one of the tabs above."
          />,
          'Not found',
        )}
      />
    </Routes>
  );
};
