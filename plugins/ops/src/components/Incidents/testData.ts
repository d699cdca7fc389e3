import type { Incident, Problem } from '@cloud-ops/plugin-ops-common';

/** An incident as the API serves it; tests override what they check. */
export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-000001',
    entityRef: 'component:default/payments-api',
    ownerGroup: 'group:default/payments',
    alarmArn:
      'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-5xx',
    alarmName: 'payments-api-5xx',
    reason: 'Threshold crossed: 12 errors in 5 minutes',
    priority: 'P1',
    priorityRule: 'production-5xx',
    status: 'Open',
    openedAt: '2026-03-02T10:00:00Z',
    consoleUrl: 'https://console.example/alarm/payments-api-5xx',
    ...overrides,
  };
}

/** A problem as the API serves it. */
export function problem(overrides: Partial<Problem> = {}): Problem {
  return {
    id: 'PRB-000001',
    entityRef: 'component:default/payments-api',
    ownerGroup: 'group:default/payments',
    alarmArn:
      'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:payments-api-5xx',
    alarmName: 'payments-api-5xx',
    title: 'payments-api-5xx keeps firing',
    status: 'Open',
    incidentIds: ['INC-000001', 'INC-000002'],
    openedAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-02T10:00:00Z',
    version: 3,
    ...overrides,
  };
}

/** A Backstage error response body, as the backend sends it. */
export function apiError(statusCode: number, name: string, message: string) {
  return new Response(
    JSON.stringify({ error: { name, message }, response: { statusCode } }),
    { status: statusCode, headers: { 'content-type': 'application/json' } },
  );
}

/** An alert API that records what the page posts. */
export function recordingAlertApi() {
  return { post: jest.fn(), alert$: jest.fn() };
}

/** Picks an option of an MUI select, found by its label. */
export function selectButton(all: HTMLElement[]): HTMLElement {
  const found = all.find(b => b.getAttribute('aria-haspopup') === 'listbox');
  if (!found) throw new Error('no select among the buttons');
  return found;
}
