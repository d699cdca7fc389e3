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
  prefilledParameters,
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

const schedule: ChangeTypeWithSchema = {
  ...exclusion,
  templateRef: 'template:default/set-backup-schedule',
  id: 'set-backup-schedule',
  title: 'Set the backup schedule',
  automation: 'automated',
  approval: 'none',
  risk: 'low',
  parameterSchema: {
    properties: {
      component: { title: 'Component', type: 'string' },
      frequency: {
        title: 'Frequency',
        type: 'string',
        enum: ['every-12-hours', 'daily', 'weekly'],
        default: 'daily',
      },
      startTime: { title: 'Start time (UTC)', type: 'string' },
      retentionDays: { title: 'Keep for days', type: 'integer' },
      encrypted: { title: 'Encrypted', type: 'boolean' },
    },
    required: ['component', 'frequency', 'startTime', 'retentionDays'],
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

  it("reads prefilled parameters from p.<name> query parameters, typed by the change type's schema", () => {
    const search = new URLSearchParams(
      'entity=component%3Adefault%2Fpayments-api&changeType=set-backup-schedule' +
        '&p.frequency=weekly&p.retentionDays=35&p.encrypted=true&p.startTime=&p.unknown=x&frequency=daily',
    );
    expect(prefilledParameters(search, schedule)).toEqual({
      frequency: 'weekly',
      retentionDays: 35,
      encrypted: true,
    });
    // a prefilled value wins over the schema's default
    expect(
      initialParameters(
        schedule,
        { ref: 'component:default/payments-api' },
        prefilledParameters(search, schedule),
      ),
    ).toEqual({
      component: 'component:default/payments-api',
      frequency: 'weekly',
      retentionDays: 35,
      encrypted: true,
    });
    expect(prefilledParameters(search, undefined)).toEqual({});
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

  it('prefills the change type, entity and parameters from the link and sends them', async () => {
    window.history.replaceState(
      {},
      '',
      '/ops/rfcs/new?entity=component%3Adefault%2Fpayments-api&changeType=set-backup-schedule&p.frequency=every-12-hours&p.startTime=01%3A30&p.retentionDays=14',
    );
    const bodies: any[] = [];
    server.use(
      http.get(`${BASE_URL}/change-types`, () =>
        HttpResponse.json({ items: [exclusion, schedule] }),
      ),
      http.post(`${BASE_URL}/rfcs`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          rfc({ id: 'RFC-000043', status: 'Scheduled' }),
          { status: 201 },
        );
      }),
    );
    await renderWithOps(<CreateRfcPage />, {
      user: 'ana',
      extraApis: [[catalogApiRef, catalogApi]],
    });
    await screen.findByRole('button', { name: 'Create RFC' }, slow);
    expect(screen.getByLabelText(/^Start time \(UTC\)/)).toHaveValue('01:30');
    expect(screen.getByLabelText(/^Keep for days/)).toHaveValue(14);
    expect(screen.getByLabelText(/^Title/)).toHaveValue(
      'Set the backup schedule',
    );

    const set = (label: RegExp, value: string) =>
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    set(/^Description/, 'Twice a day during the migration');
    set(/^Implementation plan/, 'Update the backup plan.');
    set(/^Test plan/, 'Check the next two recovery points.');
    set(/^Rollback plan/, 'Set the daily schedule again.');
    await userEvent.click(screen.getByRole('button', { name: 'Create RFC' }));
    await waitFor(() => expect(bodies).toHaveLength(1), slow);
    expect(bodies[0]).toMatchObject({
      changeTypeId: 'set-backup-schedule',
      targetEntityRef: 'component:default/payments-api',
      parameters: {
        component: 'component:default/payments-api',
        frequency: 'every-12-hours',
        startTime: '01:30',
        retentionDays: 14,
      },
    });
  });

  it('needs an incident id for an emergency, and "now" only for one', () => {
    const base = {
      changeTypeId: 'exclude-stack-from-patching',
      targetEntityRef: 'component:default/payments-api',
      title: 'Exclude',
      description: 'd',
      implementationPlan: 'i',
      testPlan: 't',
      rollbackPlan: 'r',
      parameters: {
        owner: 'group:default/payments',
        component: 'c',
        environment: 'dev',
        costCenter: 'CC-1001',
      },
    };
    expect(
      validateRfcForm(
        { ...base, emergency: { incidentId: ' ' }, requestedStartTime: 'now' },
        exclusion,
      ),
    ).toEqual({
      'emergency.incidentId':
        'An emergency change names the open P1 or P2 incident it answers',
    });
    expect(
      validateRfcForm(
        { ...base, emergency: { incidentId: 'INC-12' } },
        exclusion,
      ),
    ).toEqual({
      'emergency.incidentId':
        '"INC-12" is not an incident id such as INC-000012',
    });
    expect(
      validateRfcForm({ ...base, requestedStartTime: 'now' }, exclusion),
    ).toEqual({
      requestedStartTime:
        'Only an emergency change starts as soon as it is approved',
    });
    expect(
      validateRfcForm(
        {
          ...base,
          emergency: { incidentId: 'INC-000012' },
          requestedStartTime: 'now',
          requestedEndTime: '2026-03-02T09:00:00.000Z',
        },
        exclusion,
      ),
    ).toEqual({});
  });

  it('sends an emergency answering the incident in the link, starting once approved', async () => {
    window.history.replaceState(
      {},
      '',
      '/ops/rfcs/new?entity=component%3Adefault%2Fpayments-api&changeType=exclude-stack-from-patching&incident=INC-000012',
    );
    const bodies: any[] = [];
    server.use(
      http.get(`${BASE_URL}/change-types`, () =>
        HttpResponse.json({ items: [exclusion] }),
      ),
      http.post(`${BASE_URL}/rfcs`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          rfc({
            id: 'RFC-000044',
            changeClass: 'emergency',
            emergencyIncidentId: 'INC-000012',
          }),
          { status: 201 },
        );
      }),
    );
    await renderWithOps(<CreateRfcPage />, {
      user: 'ana',
      extraApis: [[catalogApiRef, catalogApi]],
    });
    await screen.findByRole('button', { name: 'Create RFC' }, slow);
    // the link from the incident makes it an emergency
    expect(
      screen.getByRole('checkbox', { name: 'Emergency change' }),
    ).toBeChecked();
    expect(screen.getByLabelText(/^Incident/)).toHaveValue('INC-000012');

    const set = (label: RegExp, value: string) =>
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    set(/^Description/, 'Payments fail on a corrupt table');
    set(/^Implementation plan/, 'Exclude the stack.');
    set(/^Test plan/, 'Check the exclusion tag.');
    set(/^Rollback plan/, 'Remove the exclusion tag.');
    set(/^Cost center/, 'CC-1001');
    set(/^Freeze override reason/, 'Payments are down');
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Start as soon as approved' }),
    );
    expect(screen.getByLabelText(/^Requested start/)).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Create RFC' }));
    await waitFor(() => expect(bodies).toHaveLength(1), slow);
    expect(bodies[0]).toMatchObject({
      changeTypeId: 'exclude-stack-from-patching',
      requestedStartTime: 'now',
      emergency: {
        incidentId: 'INC-000012',
        freezeOverrideReason: 'Payments are down',
      },
      submit: true,
    });
  });

  it('needs the incident before sending an emergency, and keeps it when the server refuses it', async () => {
    window.history.replaceState(
      {},
      '',
      '/?entity=component%3Adefault%2Fpayments-api&changeType=exclude-stack-from-patching',
    );
    const bodies: any[] = [];
    const refusal =
      'Invalid RFC: emergency.incidentId: INC-000099 is P3; an emergency answers a P1 or P2 incident';
    server.use(
      http.get(`${BASE_URL}/change-types`, () =>
        HttpResponse.json({ items: [exclusion] }),
      ),
      http.post(`${BASE_URL}/rfcs`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          {
            error: { name: 'InputError', message: refusal },
            response: { statusCode: 400 },
          },
          { status: 400 },
        );
      }),
    );
    await renderWithOps(<CreateRfcPage />, {
      user: 'ana',
      extraApis: [[catalogApiRef, catalogApi]],
    });
    await screen.findByRole('button', { name: 'Create RFC' }, slow);
    expect(screen.queryByLabelText(/^Incident/)).not.toBeInTheDocument();
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
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Emergency change' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Create RFC' }));
    expect(
      await screen.findByText(
        'An emergency change names the open P1 or P2 incident it answers',
      ),
    ).toBeInTheDocument();
    expect(bodies).toHaveLength(0);

    fireEvent.change(screen.getByLabelText(/^Incident/), {
      target: { value: 'INC-000099' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Create RFC' }));
    expect(
      await screen.findByTestId('rfc-create-error', undefined, slow),
    ).toHaveTextContent('INC-000099 is P3');
    expect(bodies[0].emergency).toEqual({ incidentId: 'INC-000099' });
    expect(bodies[0].requestedStartTime).toBeUndefined();
    expect(screen.getByLabelText(/^Incident/)).toHaveValue('INC-000099');
    expect(screen.getByLabelText(/^Title/)).toHaveValue('t');
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
