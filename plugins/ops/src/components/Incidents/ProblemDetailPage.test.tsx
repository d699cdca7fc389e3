import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Problem } from '@cloud-ops/plugin-ops-common';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import { OpsPage } from '../OpsPage';
import { missingForStatus } from './ProblemDetailPage';
import { alertApiRef } from '@backstage/core-plugin-api';
import {
  apiError,
  incident,
  problem,
  recordingAlertApi,
  selectButton,
} from './testData';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

function serve(patch?: (body: any, current: Problem) => Response | Problem) {
  let current = problem();
  const bodies: any[] = [];
  server.use(
    http.get(`${BASE_URL}/problems/PRB-000001`, () =>
      HttpResponse.json(current),
    ),
    http.get(`${BASE_URL}/incidents/:id`, ({ params }) =>
      HttpResponse.json(
        incident({ id: String(params.id), problemId: 'PRB-000001' }),
      ),
    ),
    http.patch(`${BASE_URL}/problems/PRB-000001`, async ({ request }) => {
      const body = await request.json();
      bodies.push(body);
      const answer = patch?.(body, current);
      if (answer instanceof Response) return answer as any;
      current = answer ?? current;
      return HttpResponse.json(current);
    }),
  );
  return {
    bodies,
    set: (p: Problem) => {
      current = p;
    },
  };
}

const open = (alertApi = recordingAlertApi()) =>
  renderWithOps(<OpsPage />, {
    user: 'omar',
    routeEntries: ['/problems/PRB-000001'],
    extraApis: [[alertApiRef, alertApi]],
  });

const pickStatus = async (name: string) => {
  fireEvent.mouseDown(
    selectButton(screen.getAllByRole('button', { name: /Status/ })),
  );
  fireEvent.click(
    within(await screen.findByRole('listbox')).getByRole('option', { name }),
  );
};

describe('ProblemDetailPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('lists the linked incidents, newest first', async () => {
    serve();
    await open();
    expect(
      await screen.findByRole(
        'heading',
        { name: 'PRB-000001: payments-api-5xx keeps firing' },
        slow,
      ),
    ).toBeInTheDocument();
    const links = await screen.findAllByRole(
      'link',
      { name: /^INC-00000/ },
      slow,
    );
    expect(links.map(l => l.textContent)).toEqual(['INC-000002', 'INC-000001']);
  });

  it('records the root cause and status with the version it was loaded at', async () => {
    const { bodies } = serve((body, current) => ({
      ...current,
      ...body,
      version: current.version + 1,
    }));
    await open();
    await screen.findByRole('textbox', { name: /Root cause/ }, slow);
    await pickStatus('Root cause identified');
    const save = screen.getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    expect(
      screen.getByText('Describe the root cause to mark it identified.'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByRole('textbox', { name: /Root cause/ }), {
      target: { value: 'Connection pool too small' },
    });
    await userEvent.click(save);
    await waitFor(
      () =>
        expect(screen.getByTestId('problem-status')).toHaveTextContent(
          'Root cause identified',
        ),
      slow,
    );
    expect(bodies).toEqual([
      {
        version: 3,
        status: 'RootCauseIdentified',
        rootCause: 'Connection pool too small',
      },
    ]);
  });

  it('reloads on a conflict and shows what the other person saved', async () => {
    const server409 = serve((_body, current) => {
      server409.set({
        ...current,
        rootCause: 'Saved by someone else',
        version: 4,
      });
      return apiError(409, 'ConflictError', 'PRB-000001 is at version 4');
    });
    const alertApi = recordingAlertApi();
    await open(alertApi);
    fireEvent.change(
      await screen.findByRole('textbox', { name: /Root cause/ }, slow),
      {
        target: { value: 'My theory' },
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    // The reload after the 409 is a second round trip; under load it can
    // take longer than waitFor's default second.
    await waitFor(
      () =>
        expect(screen.getByRole('textbox', { name: /Root cause/ })).toHaveValue(
          'Saved by someone else',
        ),
      slow,
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({
        severity: 'warning',
        message: expect.stringMatching(
          /changed while you were editing it.*PRB-000001 is at version 4/,
        ),
      }),
    );
    expect(server409.bodies).toEqual([{ version: 3, rootCause: 'My theory' }]);
  });

  it('shows other save errors in place', async () => {
    serve(() => apiError(400, 'InputError', 'rootCause is too long'));
    await open();
    fireEvent.change(
      await screen.findByRole('textbox', { name: /Root cause/ }, slow),
      {
        target: { value: 'x' },
      },
    );
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByTestId('problem-save-failure')).toHaveTextContent(
      'rootCause is too long',
    );
  });
});

describe('missingForStatus', () => {
  it('asks for a root cause, and for remediation before resolving', () => {
    expect(missingForStatus('Open', '', '')).toBeUndefined();
    expect(missingForStatus('RootCauseIdentified', ' ', '')).toMatch(
      /root cause/,
    );
    expect(missingForStatus('RootCauseIdentified', 'pool', '')).toBeUndefined();
    expect(missingForStatus('Resolved', 'pool', '')).toMatch(/remediation/);
    expect(missingForStatus('Resolved', 'pool', 'bigger pool')).toBeUndefined();
  });
});
