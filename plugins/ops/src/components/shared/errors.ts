/**
 * The server's own message when it sent one (the ops backend answers errors
 * as `{ error: { message } }`), rather than the status line.
 */
export function errorMessage(error: Error): string {
  const body = (error as { body?: { error?: { message?: string } } }).body;
  return body?.error?.message ?? error.message;
}
