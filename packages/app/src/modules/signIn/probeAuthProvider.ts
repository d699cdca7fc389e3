/**
 * What the backend said about an auth provider: `absent` when it answered
 * 404, `available` for any other answer, `unknown` when it did not answer.
 */
export type AuthProviderProbe = 'available' | 'absent' | 'unknown';

/**
 * Asks the auth backend whether it serves a provider, without signing in.
 *
 * The auth backend answers 404 for a provider it does not serve: one not
 * installed, not configured, or not configured for this auth environment
 * (the `env` parameter picks it, as the sign-in flow does). Any other answer
 * to a refresh without a session (401, or 400 from the demo provider for a
 * missing user name) means it is there. No cookies are sent, so the probe
 * never refreshes a session.
 */
export async function probeAuthProvider(options: {
  authBaseUrl: string;
  providerId: string;
  environment: string;
  fetch?: typeof fetch;
}): Promise<AuthProviderProbe> {
  const { authBaseUrl, providerId, environment } = options;
  const doFetch = options.fetch ?? fetch;
  const url = `${authBaseUrl}/${encodeURIComponent(
    providerId,
  )}/refresh?optional&env=${encodeURIComponent(environment)}`;
  try {
    const response = await doFetch(url, {
      credentials: 'omit',
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    return response.status === 404 ? 'absent' : 'available';
  } catch {
    return 'unknown';
  }
}
