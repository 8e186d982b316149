import { createPublicKey, type KeyObject } from "node:crypto";
import { isValidId, SwitchyardError } from "@switchyard/protocol";
import {
  type CryptoKey,
  createRemoteJWKSet,
  errors,
  importSPKI,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from "jose";
import type { ClientInfo } from "../hub-api.js";
import type { AuthOptions } from "../options.js";

/** Who is behind a connection, as established by its token. */
export interface Identity {
  /** The token's `sub`, or null for an anonymous connection. */
  userId: string | null;
  /** The verified token claims (empty for an anonymous connection). */
  claims: Readonly<Record<string, unknown>>;
  /** When the token expires, in milliseconds since the Unix epoch; null when it does not. */
  expiresAt: number | null;
  /** Public facts a feature deciding the connect gave (a connect proxy's `info`). */
  info?: unknown;
  /** Server-side facts a feature deciding the connect gave; never sent to clients. */
  meta?: unknown;
  /** Extends the connection's life at `expiresAt` instead of closing it (a refresh proxy). */
  refresh?: (client: ClientInfo) => Promise<{ expiresAt: number | null }>;
  /** Channels the client joins at connect without asking (server-side subscriptions). */
  channels?: readonly string[];
}

/** Verifies the token a client gives on connect or refresh. */
export interface Authenticator {
  /**
   * Resolves the identity behind `token` (an empty string counts as no token), or rejects
   * with a `SwitchyardError`:
   * `unauthorized` (no token and anonymous connections are off), `token_expired`,
   * `token_invalid` (any other verification failure), or `auth_unavailable` when the key set
   * could not be fetched (the token may well be valid).
   */
  authenticate(token: string | undefined): Promise<Identity>;
}

const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"];
const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];
const DEFAULT_HMAC_ALGORITHMS = ["HS256"];
const DEFAULT_ASYMMETRIC_ALGORITHMS = ["RS256", "ES256"];

/** Marks a failure to obtain verification keys, as opposed to a bad token. */
class KeySourceUnavailable extends Error {
  override readonly name = "KeySourceUnavailable";
}

/** The claims of every anonymous connection (one frozen object, not one per connection). */
const NO_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Creates the authenticator of a hub. `options` are checked here, so a misconfiguration
 * (no key source, two key sources, an unusable key, an algorithm list that would allow
 * `none` or mix HMAC with public keys) throws at startup rather than on the first connect.
 *
 * Algorithms are always an explicit allow-list: a token whose header names any other
 * algorithm (`none`, or `HS256` against a public key) is refused before any key is used.
 *
 * @param options JWT verification; without it only anonymous connections are possible.
 * @param allowAnonymous accept connections without a token (`userId: null`).
 * @example
 * const auth = createAuthenticator({ secret: process.env.JWT_SECRET }, false);
 * const { userId, expiresAt } = await auth.authenticate(token);
 */
export function createAuthenticator(
  options: AuthOptions | undefined,
  allowAnonymous: boolean,
): Authenticator {
  const verifier = options === undefined ? undefined : createVerifier(options);
  return {
    async authenticate(token) {
      if (token === undefined || token === "") {
        if (allowAnonymous) return { userId: null, claims: NO_CLAIMS, expiresAt: null };
        throw new SwitchyardError("unauthorized");
      }
      if (verifier === undefined) {
        throw new SwitchyardError(
          "token_invalid",
          "The server has no JWT verification configured (auth options), so it accepts no " +
            "token; connect without one",
        );
      }
      return verifier(token);
    },
  };
}

type Verify = (token: string) => Promise<Identity>;

function createVerifier(options: AuthOptions): Verify {
  const sources = (["secret", "publicKey", "jwksUrl"] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (sources.length !== 1) {
    throw new Error(
      sources.length === 0
        ? "auth: give one key source: secret, publicKey or jwksUrl"
        : `auth: give exactly one key source, not ${sources.join(" and ")}`,
    );
  }
  for (const name of ["secret", "publicKey", "jwksUrl", "issuer", "audience"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new Error(`auth: '${name}' must be a non-empty string`);
    }
  }

  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.secret !== undefined) {
    algorithms = checkAlgorithms(options.algorithms, DEFAULT_HMAC_ALGORITHMS, HMAC_ALGORITHMS);
    key = new TextEncoder().encode(options.secret);
  } else if (options.publicKey !== undefined) {
    const publicKey = readPublicKey(options.publicKey);
    const requested = checkAlgorithms(
      options.algorithms,
      DEFAULT_ASYMMETRIC_ALGORITHMS,
      ASYMMETRIC_ALGORITHMS,
    );
    algorithms = requested.filter((alg) => fitsKey(alg, publicKey));
    if (algorithms.length === 0) {
      throw new Error(
        `auth: the publicKey is a ${describeKey(publicKey)} key, which none of the algorithms ` +
          `${requested.join(", ")} can use`,
      );
    }
    key = spkiKeyGetter(publicKey.export({ type: "spki", format: "pem" }).toString());
  } else {
    algorithms = checkAlgorithms(
      options.algorithms,
      DEFAULT_ASYMMETRIC_ALGORITHMS,
      ASYMMETRIC_ALGORITHMS,
    );
    key = jwksKeyGetter(readJwksUrl(options.jwksUrl as string));
  }

  const verifyOptions: JWTVerifyOptions = { algorithms };
  if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;
  if (options.audience !== undefined) verifyOptions.audience = options.audience;

  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      // Two calls keep each overload's key type exact.
      const result =
        key instanceof Uint8Array
          ? await jwtVerify(token, key, verifyOptions)
          : await jwtVerify(token, key, verifyOptions);
      payload = result.payload;
    } catch (error) {
      throw toSwitchyardError(error);
    }
    const sub = payload.sub;
    if (typeof sub !== "string" || sub === "") {
      throw new SwitchyardError("token_invalid", "The token has no 'sub' claim naming its user");
    }
    if (!isValidId(sub)) {
      throw new SwitchyardError(
        "token_invalid",
        "The token's 'sub' claim must be 1–128 characters of A-Z a-z 0-9 _ . @ | : -",
      );
    }
    const exp = payload.exp;
    return { userId: sub, claims: payload, expiresAt: typeof exp === "number" ? exp * 1000 : null };
  };
}

/** Checks a configured algorithm list against the family the key source can verify. */
function checkAlgorithms(
  configured: string[] | undefined,
  fallback: string[],
  family: string[],
): string[] {
  if (configured === undefined) return fallback;
  if (!Array.isArray(configured) || configured.length === 0) {
    throw new Error("auth: 'algorithms' must be a non-empty array");
  }
  for (const alg of configured) {
    if (!family.includes(alg)) {
      throw new Error(
        `auth: algorithm '${String(alg)}' cannot be used with this key source; ` +
          `use ${family.join(", ")}`,
      );
    }
  }
  return [...new Set(configured)];
}

function readPublicKey(pem: string): KeyObject {
  if (pem.includes("PRIVATE KEY")) {
    throw new Error("auth: 'publicKey' holds a private key; give the public key (SPKI PEM)");
  }
  try {
    return createPublicKey(pem);
  } catch (cause) {
    throw new Error("auth: 'publicKey' is not a PEM public key", { cause });
  }
}

const CURVE_ALGORITHMS: Record<string, string> = {
  prime256v1: "ES256",
  secp384r1: "ES384",
  secp521r1: "ES512",
};

/** True when a token signed with `alg` could have been signed by the private half of `key`. */
function fitsKey(alg: string, key: KeyObject): boolean {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return alg.startsWith("RS") || alg.startsWith("PS");
    case "rsa-pss":
      return alg.startsWith("PS");
    case "ec":
      return CURVE_ALGORITHMS[key.asymmetricKeyDetails?.namedCurve ?? ""] === alg;
    case "ed25519":
      return alg === "EdDSA" || alg === "Ed25519";
    default:
      return false;
  }
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined ? String(key.asymmetricKeyType) : `${key.asymmetricKeyType} ${curve}`;
}

/** Imports the SPKI key once per algorithm it is used with (the CryptoKey is bound to one). */
function spkiKeyGetter(spki: string): JWTVerifyGetKey<CryptoKey> {
  const imported = new Map<string, Promise<CryptoKey>>();
  return (header) => {
    const alg = header.alg;
    let key = imported.get(alg);
    if (key === undefined) {
      key = importSPKI(spki, alg);
      imported.set(alg, key);
    }
    return key;
  };
}

function readJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new Error(`auth: 'jwksUrl' is not a URL: ${value}`, { cause });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error("auth: 'jwksUrl' must be an http(s) URL");
  }
  return url;
}

/**
 * The remote key set, with its outages told apart from bad tokens: a key set that cannot be
 * fetched says nothing about the token, so it must not end the client's session for good.
 */
function jwksKeyGetter(url: URL): JWTVerifyGetKey<CryptoKey> {
  const remote = createRemoteJWKSet(url);
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new KeySourceUnavailable("The JSON Web Key Set could not be fetched", {
        cause: error,
      });
    }
  };
}

function toSwitchyardError(error: unknown): SwitchyardError {
  if (error instanceof errors.JWTExpired) return new SwitchyardError("token_expired");
  if (error instanceof KeySourceUnavailable) {
    return new SwitchyardError(
      "auth_unavailable",
      "The token could not be checked: the JSON Web Key Set is unreachable",
    );
  }
  if (error instanceof errors.JOSEError) {
    return new SwitchyardError("token_invalid", `The token is not valid: ${error.message}`);
  }
  return new SwitchyardError("token_invalid");
}
