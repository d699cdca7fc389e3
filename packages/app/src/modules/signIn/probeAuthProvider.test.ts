import { probeAuthProvider } from './probeAuthProvider';

const probe = (fetch: jest.Mock) =>
  probeAuthProvider({
    authBaseUrl: 'http://backend/api/auth',
    providerId: 'oidc',
    environment: 'production',
    fetch,
  });

describe('probeAuthProvider', () => {
  it('asks for a refresh in the auth environment, without cookies', async () => {
    const fetch = jest.fn().mockResolvedValue({ status: 401 });
    await expect(probe(fetch)).resolves.toBe('available');
    expect(fetch).toHaveBeenCalledWith(
      'http://backend/api/auth/oidc/refresh?optional&env=production',
      {
        credentials: 'omit',
        headers: { 'x-requested-with': 'XMLHttpRequest' },
      },
    );
  });

  it('reads 404 as absent and any other answer as available', async () => {
    await expect(
      probe(jest.fn().mockResolvedValue({ status: 404 })),
    ).resolves.toBe('absent');
    await expect(
      probe(jest.fn().mockResolvedValue({ status: 400 })),
    ).resolves.toBe('available');
  });

  it('reads no answer as unknown', async () => {
    await expect(
      probe(jest.fn().mockRejectedValue(new TypeError('Failed to fetch'))),
    ).resolves.toBe('unknown');
  });
});
