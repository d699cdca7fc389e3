import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { ChangeTypeWithSchema } from '../../api';
import { rfc } from '../../__testUtils__/fixtures';
import { BASE_URL, renderWithOps } from '../../__testUtils__/renderWithOps';
import {
  CreateRfcPage,
  initialParameters,
  validateRfcForm,
} from './CreateRfcPage';

const server = setupServer();
jest.setTimeout(60_000);
const slow = { timeout: 20_000 };

const exclusion: ChangeTypeWithSchema = {
  templateRef: 'template:default/exclude-stack-from-patching',
  id: 'exclude-stack-from-patching',
  version: '1.0',
  title: 'Exclude a stack from patching',
  classification: {
    category: 'Management',
    subcategory: 'Patching',
    item: 'Stack',
    operation: 'Exclude',
  },
  automation: 'manual',
  approval: 'central-it',
  expectedDuration: 'PT1H',
  risk: 'high',
  parameterSchema: {
    properties: {
      owner: { title: 'Owner', type: 'string' },
      component: { title: 'Component', type: 'string' },
      environment: {
        title: 'Environment',
        type: 'string',
        enum: ['dev', 'prod'],
        default: 'dev',
      },
      costCenter: {
        title: 'Cost center',
        type: 'string',
        pattern: '^CC-[0-9]{4}$',
      },
      requestedStartTime: {
        title: 'Start no earlier than',
        type: 'string',
        format: 'date-time',
      },
    },
    required: ['owner', 'component', 'environment', 'costCenter'],
  },
};

const catalogApi = {
  getEntities: async () => ({
    items: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'payments-api',
          namespace: 'default',
          title: 'Payments API',
        },
        spec: { owner: 'payments' },
      },
    ],
  }),
};

describe('CreateRfcPage', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    window.history.replaceState({}, '', '/');
  });
  afterAll(() => server.close());

  it('fills defaults, the target and its owner into the parameters, and leaves out the start time', () => {
    expect(
      initialParameters(exclusion, {
        ref: 'component:default/payments-api',
        owner: 'group:default/payments',
      }),
    ).toEqual({
      owner: 'group:default/payments',
      component: 'component:default/payments-api',
      environment: 'dev',
    });
  });

  it('names every missing plan and bad parameter before sending', () => {
    const problems = validateRfcForm(
      {
        changeTypeId: 'exclude-stack-from-patching',
        targetEntityRef: 'component:default/payments-api',
        title: 'Exclude',
        description: 'd',
        implementationPlan: ' ',
        testPlan: '',
        rollbackPlan: 'r',
        parameters: {
          owner: 'group:default/payments',
          component: 'c',
          environment: 'dev',
          costCenter: 'nope',
        },
        requestedStartTime: '2026-03-02T10:00:00.000Z',
        requestedEndTime: '2026-03-02T09:00:00.000Z',
      },
      exclusion,
    );
    expect(problems).toEqual({
      implementationPlan: 'An implementation plan is required',
      testPlan: 'A test plan is required',
      'parameters.costCenter': 'Cost center must match ^CC-[0-9]{4}$',
      requestedEndTime: 'The end must come after the start',
    });
  });

  it('creates and submits an RFC against the entity named in the link', async () => {
    window.history.replaceState(
      {},
      '',
      '/ops/rfcs/new?entity=component%3Adefault%2Fpayments-api&changeType=exclude-stack-from-patching',
    );
    const bodies: any[] = [];
    server.use(
      http.get(`${BASE_URL}/change-types`, () =>
        HttpResponse.json({ items: [exclusion] }),
      ),
      http.post(`${BASE_URL}/rfcs`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          rfc({ id: 'RFC-000042', title: 'Exclude payments-api' }),
          { status: 201 },
        );
      }),
    );
    await renderWithOps(<CreateRfcPage />, {
      user: 'ana',
      extraApis: [[catalogApiRef, catalogApi]],
    });

    const create = await screen.findByRole(
      'button',
      { name: 'Create RFC' },
      slow,
    );
    await userEvent.click(create);
    expect(
      await screen.findByText('An implementation plan is required'),
    ).toBeInTheDocument();
    expect(bodies).toHaveLength(0);

    const set = (label: RegExp, value: string) =>
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    set(/^Title/, 'Exclude payments-api');
    set(/^Description/, 'Quarter-end freeze');
    set(/^Implementation plan/, 'Tag the stack as excluded.');
    set(/^Test plan/, 'Check the next window skips it.');
    set(/^Rollback plan/, 'Remove the exclusion tag.');
    set(/^Cost center/, 'CC-1001');
    await userEvent.click(create);

    expect(
      await screen.findByTestId('rfc-created', undefined, slow),
    ).toHaveTextContent('RFC-000042');
    expect(screen.getByRole('link', { name: 'RFC-000042' })).toHaveAttribute(
      'href',
      '/ops/rfcs/RFC-000042',
    );
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]).toEqual({
      changeTypeId: 'exclude-stack-from-patching',
      targetEntityRef: 'component:default/payments-api',
      title: 'Exclude payments-api',
      description: 'Quarter-end freeze',
      implementationPlan: 'Tag the stack as excluded.',
      testPlan: 'Check the next window skips it.',
      rollbackPlan: 'Remove the exclusion tag.',
      parameters: {
        owner: 'group:default/payments',
        component: 'component:default/payments-api',
        environment: 'dev',
        costCenter: 'CC-1001',
      },
      submit: true,
    });
  });

  it('shows what the server refused and keeps the form', async () => {
    window.history.replaceState(
      {},
      '',
      '/?entity=component%3Adefault%2Fpayments-api&changeType=exclude-stack-from-patching',
    );
    server.use(
      http.get(`${BASE_URL}/change-types`, () =>
        HttpResponse.json({ items: [exclusion] }),
      ),
      http.post(`${BASE_URL}/rfcs`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'InputError',
              message:
                'Invalid request body: parameters.costCenter: must match',
            },
            response: { statusCode: 400 },
          },
          { status: 400 },
        ),
      ),
    );
    await renderWithOps(<CreateRfcPage />, {
      user: 'omar',
      extraApis: [[catalogApiRef, catalogApi]],
    });
    expect(
      await screen.findByText(/this is a Central IT RFC/, undefined, slow),
    ).toBeInTheDocument();
    for (const [label, value] of [
      [/^Title/, 't'],
      [/^Description/, 'd'],
      [/^Implementation plan/, 'i'],
      [/^Test plan/, 't'],
      [/^Rollback plan/, 'r'],
      [/^Cost center/, 'CC-1234'],
    ] as const) {
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    }
    await userEvent.click(screen.getByRole('button', { name: 'Create RFC' }));
    expect(
      await screen.findByTestId('rfc-create-error', undefined, slow),
    ).toHaveTextContent('parameters.costCenter: must match');
    expect(screen.getByRole('button', { name: 'Create RFC' })).toBeEnabled();
  });
});
