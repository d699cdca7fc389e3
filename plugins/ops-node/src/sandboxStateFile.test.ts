import fs from 'node:fs';
import {
  createMockDirectory,
  mockServices,
} from '@backstage/backend-test-utils';
import {
  defaultSandboxStateFile,
  readSandboxStateFile,
  writeSandboxStateFile,
} from './sandboxStateFile';

describe('sandbox state files', () => {
  const dir = createMockDirectory();

  beforeEach(dir.clear);

  it('default to the nearest .data directory above the working directory', () => {
    dir.setContent({
      '.data': {},
      'packages/backend/src': {},
      'packages/app/.data': {},
    });
    expect(
      defaultSandboxStateFile(
        'settings.json',
        dir.resolve('packages/backend/src'),
      ),
    ).toBe(dir.resolve('.data/sandbox/settings.json'));
    expect(
      defaultSandboxStateFile(
        'service-catalog.json',
        dir.resolve('packages/app'),
      ),
    ).toBe(dir.resolve('packages/app/.data/sandbox/service-catalog.json'));
  });

  it('ignore a .data that is not a directory, and find none above the file system root', () => {
    dir.setContent({ '.data': 'a file', packages: {} });
    expect(
      defaultSandboxStateFile('settings.json', dir.resolve('packages')),
    ).toBeUndefined();
  });

  it('are written whole and read back; a missing one reads as undefined', () => {
    const file = dir.resolve('sandbox/state.json');
    expect(readSandboxStateFile(file)).toBeUndefined();
    writeSandboxStateFile(file, { records: [1, 2] });
    expect(readSandboxStateFile(file)).toEqual({ records: [1, 2] });
    expect(fs.readdirSync(dir.resolve('sandbox'))).toEqual(['state.json']);
  });

  it('set a file that is not JSON aside, with a warning', () => {
    dir.setContent({ 'state.json': 'not json' });
    const logger = mockServices.logger.mock();
    const file = dir.resolve('state.json');
    expect(readSandboxStateFile(file, logger)).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(`moved it to ${file}.corrupt`),
    );
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readFileSync(`${file}.corrupt`, 'utf8')).toBe('not json');
  });
});
