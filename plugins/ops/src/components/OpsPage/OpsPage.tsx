import { Header, Page, RoutedTabs } from '@backstage/core-components';
import { CreateRfcPage } from '../CreateRfc';
import { RaciMatrixPage } from '../RaciMatrix';
import { RfcDetailPage } from '../RfcDetail';
import { RfcQueuePage } from '../RfcQueue';

/**
 * The `/ops` pages: the RFC queue, one RFC, a new RFC and the RACI matrix.
 *
 * @public
 */
export const OpsPage = () => (
  <Page themeId="tool">
    <Header
      title="Cloud operations"
      subtitle="Changes to AWS environments and who is responsible for what"
    />
    <RoutedTabs
      routes={[
        { path: '/', title: 'RFC queue', children: <RfcQueuePage /> },
        { path: '/rfcs/new', title: 'New RFC', children: <CreateRfcPage /> },
        { path: '/raci', title: 'RACI matrix', children: <RaciMatrixPage /> },
        {
          // Reached from links only, so its tab stays hidden.
          path: '/rfcs/:id',
          title: 'RFC',
          children: <RfcDetailPage />,
          tabProps: { style: { display: 'none' } },
        },
      ]}
    />
  </Page>
);
