import { motoAvailability, motoTestMode } from './moto';

describe('moto test harness', () => {
  it('says what is missing when python is not there', () => {
    expect(motoAvailability('python3-not-installed-here')).toEqual({
      available: false,
      reason: 'python3-not-installed-here is not installed (not found on PATH)',
    });
  });

  it('skips without moto, and fails instead when OPS_TEST_MOTO=required', () => {
    const missing = {
      available: false as const,
      reason: 'python3 is not installed',
    };

    expect(motoTestMode(missing, {})).toEqual({
      mode: 'skip',
      message:
        'the moto tests were skipped: python3 is not installed. Set OPS_TEST_MOTO=required to fail instead.',
    });
    expect(motoTestMode(missing, { OPS_TEST_MOTO: 'required' })).toEqual({
      mode: 'fail',
      message:
        'OPS_TEST_MOTO=required, but the moto tests cannot run: python3 is not installed',
    });
    expect(
      motoTestMode(
        { available: true, version: '5.2.1' },
        { OPS_TEST_MOTO: 'required' },
      ),
    ).toEqual({ mode: 'run', version: '5.2.1' });
  });
});
