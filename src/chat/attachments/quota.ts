import { fail, type Result } from '../../errors/error-codes.js';

/** The refusal of files that do not fit in what is left of a conversation's `quotaBytes` (docs/api.md, "Attachments"). */
export function quotaExceeded<T>(quotaBytes: number, used: number): Result<T> {
  const left = Math.max(0, quotaBytes - used);
  return fail('quota_exceeded', `This conversation's files may take ${quotaBytes} bytes in all; ${left} are left.`, {
    file: 'does not fit in what is left of this conversation’s storage',
  });
}
