import { alertApiRef } from '@backstage/core-plugin-api';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Route, Routes } from 'react-router-dom';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import {
  apiError,
  recordingAlertApi,
  selectButton,
} from '../Incidents/testData';
import { OpsPage } from '../OpsPage';
import { exportPeriod } from './auditPeriod';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };
const HASH = 'ab'.repeat(32);

const openAt = (path: string, alertApi = recordingAlertApi()) =>
  renderWithOps(
    <Routes>
      <Route path="/ops/*" element={<OpsPage />} />
    </Routes>,
    {
      user: 'omar',
      routeEntries: [path],
      extraApis: [[alertApiRef, alertApi]],
    },
  );

const setDate = (label: string, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('AuditPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('shows that every link holds, with the last hash to keep', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () => {
        calls++;
        return HttpResponse.json({
          ok: true,
          checked: 42,
          head: { id: 42, hash: HASH },
        });
      }),
    );
    await openAt('/ops/audit');
    const status = await screen.findByTestId(
      'audit-verification',
      undefined,
      slow,
    );
    expect(status).toHaveTextContent('Intact');
    expect(status).toHaveTextContent('All 42 entries verified.');
    expect(status).toHaveTextContent(`Last entry 42, hash ${HASH}`);
    await userEvent.click(screen.getByRole('button', { name: 'Verify again' }));
    await waitFor(() => expect(calls).toBe(2));
  });

  it('names the first broken link', async () => {
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        HttpResponse.json({
          ok: false,
          checked: 6,
          firstBroken: {
            id: 7,
            chain: 'rfc:RFC-000003',
            reason:
              'entry 7 was changed after it was written: its hash does not match its content',
          },
        }),
      ),
    );
    await openAt('/ops/audit');
    const status = await screen.findByTestId(
      'audit-verification',
      undefined,
      slow,
    );
    expect(status).toHaveTextContent('Broken');
    expect(status).toHaveTextContent(
      'Entry 7 in chain rfc:RFC-000003: entry 7 was changed after it was written',
    );
    expect(status).toHaveTextContent('6 entries before it verified.');
  });

  it('says why it could not verify', async () => {
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        apiError(403, 'NotAllowedError', 'not allowed: ops.audit.read'),
      ),
    );
    await openAt('/ops/audit');
    expect(
      await screen.findByText(
        /Could not verify the audit log/,
        undefined,
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText('not allowed: ops.audit.read').length,
    ).toBeGreaterThan(0);
  });

  it('downloads the chosen days as CSV under the server’s file name', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        HttpResponse.json({ ok: true, checked: 0 }),
      ),
      http.get(`${BASE_URL}/audit/export`, ({ request }) => {
        queries.push(new URL(request.url).searchParams);
        return new HttpResponse('id,at\r\n', {
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition':
              'attachment; filename="ops-audit_2026-02-01T000000Z_2026-03-01T000000Z.csv"',
          },
        });
      }),
    );
    const saved: { name: string; href: string }[] = [];
    const blobs: Blob[] = [];
    Object.assign(URL, {
      createObjectURL: jest.fn((blob: Blob) => {
        blobs.push(blob);
        return 'blob:audit';
      }),
      revokeObjectURL: jest.fn(),
    });
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        saved.push({ name: this.download, href: this.href });
      });
    try {
      await openAt('/ops/audit');
      await screen.findByTestId('audit-verification', undefined, slow);
      setDate('First day', '2026-02-01');
      setDate('Last day', '2026-02-28');
      fireEvent.mouseDown(
        selectButton(screen.getAllByRole('button', { name: /Format/ })),
      );
      fireEvent.click(
        within(await screen.findByRole('listbox')).getByRole('option', {
          name: 'CSV (for spreadsheets)',
        }),
      );
      await userEvent.click(screen.getByRole('button', { name: 'Download' }));
      await waitFor(() =>
        expect(saved).toEqual([
          {
            name: 'ops-audit_2026-02-01T000000Z_2026-03-01T000000Z.csv',
            href: 'blob:audit',
          },
        ]),
      );
      // The last day is included: the server's `to` is the next midnight.
      expect(Object.fromEntries(queries[0])).toEqual({
        from: '2026-02-01T00:00:00.000Z',
        to: '2026-03-01T00:00:00.000Z',
        format: 'csv',
      });
      expect(await blobs[0].text()).toBe('id,at\r\n');
    } finally {
      click.mockRestore();
    }
  });

  it('refuses a period the server would refuse, before asking it', async () => {
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        HttpResponse.json({ ok: true, checked: 0 }),
      ),
    );
    await openAt('/ops/audit');
    await screen.findByTestId('audit-verification', undefined, slow);
    setDate('First day', '2026-03-01');
    setDate('Last day', '2026-02-01');
    expect(
      screen.getByText('The last day is before the first'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Download' })).toBeDisabled();
  });

  it('tells the user when the export fails', async () => {
    server.use(
      http.get(`${BASE_URL}/audit/verify`, () =>
        HttpResponse.json({ ok: true, checked: 0 }),
      ),
      http.get(`${BASE_URL}/audit/export`, () =>
        apiError(
          400,
          'InputError',
          'Invalid query: to: must not be before from',
        ),
      ),
    );
    const alertApi = recordingAlertApi();
    await openAt('/ops/audit', alertApi);
    await screen.findByTestId('audit-verification', undefined, slow);
    await userEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() =>
      expect(alertApi.post).toHaveBeenCalledWith({
        message:
          'Could not export the audit log: Invalid query: to: must not be before from',
        severity: 'error',
      }),
    );
  });
});

describe('exportPeriod', () => {
  it('takes whole UTC days, the last one included', () => {
    expect(exportPeriod('2028-01-01', '2028-12-31')).toEqual({
      from: '2028-01-01T00:00:00.000Z',
      to: '2029-01-01T00:00:00.000Z',
    });
    expect(exportPeriod('2026-01-01', '2027-01-02')).toEqual({
      problem: 'At most 366 days at once; export a longer period in parts',
    });
    expect(exportPeriod('', '2026-01-01')).toEqual({
      problem: 'Pick the first day',
    });
  });
});
