import {
  Content,
  Header,
  Page,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  RACI_CAPABILITIES,
  RACI_MATRIX,
  RaciActivity,
} from '@cloud-ops/plugin-ops-common';

const columns: TableColumn<RaciActivity>[] = [
  {
    title: 'Capability',
    field: 'capability',
    render: row => RACI_CAPABILITIES[row.capability],
    lookup: RACI_CAPABILITIES,
  },
  { title: 'Activity', field: 'activity' },
  { title: 'BU team', field: 'team', lookup: { R: 'R', C: 'C', I: 'I' } },
  {
    title: 'Central IT',
    field: 'centralIt',
    lookup: { R: 'R', C: 'C', I: 'I' },
  },
];

/**
 * The `/ops` landing page: who does what between the business-unit teams and
 * Central IT.
 *
 * @public
 */
export const OpsPage = () => (
  <Page themeId="tool">
    <Header
      title="Cloud operations"
      subtitle="Responsibilities between business-unit teams and Central IT"
    />
    <Content>
      <Table<RaciActivity>
        title="RACI matrix"
        columns={columns}
        data={[...RACI_MATRIX]}
        options={{ filtering: true, paging: true, pageSize: 20, search: true }}
      />
    </Content>
  </Page>
);
