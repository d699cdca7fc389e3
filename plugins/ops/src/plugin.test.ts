import { opsPlugin } from './plugin';

describe('ops', () => {
  it('should export plugin', () => {
    expect(opsPlugin).toBeDefined();
  });
});
