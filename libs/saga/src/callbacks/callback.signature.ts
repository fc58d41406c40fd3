import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header of every callback: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const CALLBACK_SIGNATURE_HEADER = 'x-dta-signature';

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `x-dta-signature` value of `body` sent at `timestamp` (unix seconds). */
export function signCallback(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * For receivers: whether `header` (the `x-dta-signature` value) signs `body` (the raw request body, before
 * any parsing) with `secret`, at most `toleranceSeconds` from `now` (against replays). Constant-time.
 *
 * @example if (!verifyCallbackSignature(secret, req.headers['x-dta-signature'], rawBody)) return res.sendStatus(401);
 */
export function verifyCallbackSignature(
  secret: string,
  header: string | undefined,
  body: string,
  toleranceSeconds = 300,
  now = Math.floor(Date.now() / 1000),
): boolean {
  const parts = new Map((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(timestamp) || Math.abs(now - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
