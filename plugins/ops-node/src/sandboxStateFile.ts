import fs from 'node:fs';
import path from 'node:path';
import type { LoggerService } from '@backstage/backend-plugin-api';

/**
 * Where a sandbox keeps its state by default: `sandbox/<fileName>` next to the
 * portal's SQLite files, in the nearest `.data` directory above `from` (the
 * working directory). Undefined without one: the sandbox then keeps its state
 * in memory.
 */
export function defaultSandboxStateFile(
  fileName: string,
  from: string = process.cwd(),
): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, '.data');
    if (fs.existsSync(candidate) && fs.statSync(candidate).isDirectory()) {
      return path.join(candidate, 'sandbox', fileName);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads a sandbox state file. Undefined when there is none yet, or when it is
 * not JSON: a broken file must not stop the portal, so it is moved aside to
 * `<file>.corrupt` (kept for a look, and warned about once) and the sandbox
 * starts empty.
 */
export function readSandboxStateFile(
  file: string,
  logger?: LoggerService,
): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const aside = `${file}.corrupt`;
    fs.renameSync(file, aside);
    logger?.warn(
      `Sandbox state file ${file} is not valid JSON (${
        (error as Error).message
      }); moved it to ${aside} and started empty`,
    );
    return undefined;
  }
}

/** Writes a sandbox state file atomically. */
export function writeSandboxStateFile(file: string, state: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename so a crash never leaves half a file behind.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
  fs.renameSync(tmp, file);
}
