import { SignJWT } from "jose";

/** The HS256 secret of the test hubs: `createHub({ auth: { secret: TEST_SECRET } })`. */
export const TEST_SECRET = "switchyard-test-secret-of-at-least-32-bytes";

const key = new TextEncoder().encode(TEST_SECRET);

/**
 * Signs a connect token for user `sub` with HS256 and {@link TEST_SECRET}.
 * `exp` is in seconds since the Unix epoch, as in the JWT claim.
 */
export function signToken(
  sub: string,
  claims: Record<string, unknown> = {},
  options: { exp?: number } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...claims, sub }).setProtectedHeader({ alg: "HS256" }).setIssuedAt();
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  return jwt.sign(key);
}
