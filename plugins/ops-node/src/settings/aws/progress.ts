import { ConflictError, InputError } from '@backstage/errors';
import { AwsCallError } from '../../aws';

/**
 * The writes one gateway call has made so far. A change of several writes
 * that fails part way must not look as if nothing happened: its error says
 * which call failed (the {@link AwsCallError}) and what was already written.
 */
export class WriteProgress {
  private readonly done: string[] = [];

  /** Notes a write that took effect, e.g. `created maintenance window mw-1`. */
  did(step: string): void {
    this.done.push(step);
  }

  /**
   * Runs the gateway call with a fresh progress; a failure after some writes
   * is thrown again with them.
   */
  static async track<T>(fn: (progress: WriteProgress) => Promise<T>) {
    const progress = new WriteProgress();
    try {
      return await fn(progress);
    } catch (error) {
      throw progress.failed(error);
    }
  }

  private failed(error: unknown): unknown {
    if (this.done.length === 0) return error;
    if (error instanceof AwsCallError) {
      return new AwsCallError(
        error.operation,
        error.location,
        error.cause,
        this.done,
      );
    }
    const suffix = `; already done: ${this.done.join(', ')}`;
    if (error instanceof InputError) {
      return new InputError(`${error.message}${suffix}`, error.cause);
    }
    if (error instanceof ConflictError) {
      return new ConflictError(`${error.message}${suffix}`, error.cause);
    }
    return error;
  }
}
