import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ErrorCode, SwitchyardError } from "@switchyard/protocol";
import { base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthenticator } from "../src/core/auth/authenticator.js";
import { channelsClaimAllows } from "../src/core/auth/channels-claim.js";

const SECRET = "a-test-secret-of-at-least-thirty-two-bytes";
const nowSeconds = () => Math.floor(Date.now() / 1000);

type SigningKey = Parameters<SignJWT["sign"]>[0];

function sign(
  key: SigningKey,
  alg: string,
  claims: Record<string, unknown> = { sub: "ada" },
  header: Record<string, string> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ ...header, alg })
    .setIssuedAt()
    .sign(key);
}

const hmacKey = (secret: string) => new TextEncoder().encode(secret);

/** Resolves to the code of the SwitchyardError the promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return (error as SwitchyardError).code;
  }
  throw new Error("expected a rejection");
}

const disposers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

/** Serves `body` as JSON (with `status`) on a port chosen by the system. */
async function serveJson(status: number, body: unknown): Promise<string> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  disposers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
}

describe("createAuthenticator with a shared secret (HS256)", () => {
  const auth = createAuthenticator({ secret: SECRET }, false);

  it("accepts a valid token and reports user, claims and expiry", async () => {
    const exp = nowSeconds() + 600;
    const token = await sign(hmacKey(SECRET), "HS256", { sub: "ada", exp, role: "admin" });
    const identity = await auth.authenticate(token);
    expect(identity.userId).toBe("ada");
    expect(identity.claims.role).toBe("admin");
    expect(identity.expiresAt).toBe(exp * 1000);
  });

  it("reports no expiry for a token without exp", async () => {
    const identity = await auth.authenticate(await sign(hmacKey(SECRET), "HS256"));
    expect(identity.expiresAt).toBeNull();
  });

  it("refuses an expired token with token_expired", async () => {
    const token = await sign(hmacKey(SECRET), "HS256", { sub: "ada", exp: nowSeconds() - 60 });
    expect(await codeOf(auth.authenticate(token))).toBe("token_expired");
  });

  it("refuses a token signed with another secret", async () => {
    const token = await sign(hmacKey(`${SECRET}-other`), "HS256");
    expect(await codeOf(auth.authenticate(token))).toBe("token_invalid");
  });

  it("refuses an unsigned token (alg none)", async () => {
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const token = `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "mallory" })}.`;
    expect(await codeOf(auth.authenticate(token))).toBe("token_invalid");
  });

  it("refuses an RS256 token", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    expect(await codeOf(auth.authenticate(await sign(privateKey, "RS256")))).toBe("token_invalid");
  });

  it("refuses a token without sub, or with a sub unfit for a user id", async () => {
    const key = hmacKey(SECRET);
    expect(await codeOf(auth.authenticate(await sign(key, "HS256", { role: "x" })))).toBe(
      "token_invalid",
    );
    expect(await codeOf(auth.authenticate(await sign(key, "HS256", { sub: "a b" })))).toBe(
      "token_invalid",
    );
  });

  it("refuses garbage", async () => {
    expect(await codeOf(auth.authenticate("not.a.token"))).toBe("token_invalid");
  });

  it("checks issuer and audience when configured", async () => {
    const strict = createAuthenticator(
      { secret: SECRET, issuer: "https://id.example", audience: "switchyard" },
      false,
    );
    const key = hmacKey(SECRET);
    const good = await sign(key, "HS256", {
      sub: "ada",
      iss: "https://id.example",
      aud: "switchyard",
    });
    expect((await strict.authenticate(good)).userId).toBe("ada");
    const wrongIssuer = await sign(key, "HS256", {
      sub: "ada",
      iss: "https://evil.example",
      aud: "switchyard",
    });
    expect(await codeOf(strict.authenticate(wrongIssuer))).toBe("token_invalid");
    const noAudience = await sign(key, "HS256", { sub: "ada", iss: "https://id.example" });
    expect(await codeOf(strict.authenticate(noAudience))).toBe("token_invalid");
  });
});

describe("createAuthenticator with a public key", () => {
  it("accepts an RS256 token", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const auth = createAuthenticator({ publicKey: await exportSPKI(publicKey) }, false);
    expect((await auth.authenticate(await sign(privateKey, "RS256"))).userId).toBe("ada");
  });

  it("accepts an ES256 token", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const auth = createAuthenticator({ publicKey: await exportSPKI(publicKey) }, false);
    expect((await auth.authenticate(await sign(privateKey, "ES256"))).userId).toBe("ada");
  });

  it("refuses an HS256 token signed with the public key text (alg confusion)", async () => {
    const { publicKey } = await generateKeyPair("RS256");
    const pem = await exportSPKI(publicKey);
    const auth = createAuthenticator({ publicKey: pem }, false);
    expect(await codeOf(auth.authenticate(await sign(hmacKey(pem), "HS256")))).toBe(
      "token_invalid",
    );
  });

  it("refuses a token signed by another key", async () => {
    const { publicKey } = await generateKeyPair("ES256");
    const other = await generateKeyPair("ES256");
    const auth = createAuthenticator({ publicKey: await exportSPKI(publicKey) }, false);
    expect(await codeOf(auth.authenticate(await sign(other.privateKey, "ES256")))).toBe(
      "token_invalid",
    );
  });
});

describe("createAuthenticator with a JWKS URL", () => {
  it("accepts a token whose kid is in the served key set", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    const auth = createAuthenticator({ jwksUrl: await serveJson(200, { keys: [jwk] }) }, false);
    const token = await sign(privateKey, "RS256", { sub: "ada" }, { kid: "k1" });
    expect((await auth.authenticate(token)).userId).toBe("ada");

    const stranger = await generateKeyPair("RS256");
    const unknownKid = await sign(stranger.privateKey, "RS256", { sub: "ada" }, { kid: "k2" });
    expect(await codeOf(auth.authenticate(unknownKid))).toBe("token_invalid");
  });

  it("reports an unreachable key set as auth_unavailable, not as a bad token", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const auth = createAuthenticator({ jwksUrl: await serveJson(500, { oops: true }) }, false);
    const token = await sign(privateKey, "RS256", { sub: "ada" }, { kid: "k1" });
    expect(await codeOf(auth.authenticate(token))).toBe("auth_unavailable");
  });
});

describe("createAuthenticator without a token", () => {
  it("gives an anonymous identity when anonymous connections are allowed", async () => {
    const auth = createAuthenticator({ secret: SECRET }, true);
    expect(await auth.authenticate(undefined)).toEqual({
      userId: null,
      claims: {},
      expiresAt: null,
    });
    expect((await auth.authenticate("")).userId).toBeNull();
  });

  it("refuses with unauthorized when anonymous connections are not allowed", async () => {
    const auth = createAuthenticator({ secret: SECRET }, false);
    expect(await codeOf(auth.authenticate(undefined))).toBe("unauthorized");
  });

  it("refuses any token when no auth is configured", async () => {
    const auth = createAuthenticator(undefined, true);
    expect((await auth.authenticate(undefined)).userId).toBeNull();
    const token = await sign(hmacKey(SECRET), "HS256");
    const error = await auth.authenticate(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe("token_invalid");
    expect((error as SwitchyardError).message).toMatch(/no JWT verification configured/);
  });
});

describe("createAuthenticator option checks", () => {
  it("requires exactly one key source", () => {
    expect(() => createAuthenticator({}, false)).toThrow(/one key source/);
    expect(() => createAuthenticator({ secret: SECRET, jwksUrl: "https://x/" }, false)).toThrow(
      /secret and jwksUrl/,
    );
  });

  it("refuses algorithm lists that allow none or cross key families", async () => {
    expect(() => createAuthenticator({ secret: SECRET, algorithms: ["none"] }, false)).toThrow(
      /'none'/,
    );
    expect(() => createAuthenticator({ secret: SECRET, algorithms: ["RS256"] }, false)).toThrow(
      /'RS256'/,
    );
    expect(() =>
      createAuthenticator({ jwksUrl: "https://x/", algorithms: ["HS256"] }, false),
    ).toThrow(/'HS256'/);
    expect(() => createAuthenticator({ secret: SECRET, algorithms: [] }, false)).toThrow(
      /non-empty/,
    );
  });

  it("refuses unusable keys", async () => {
    expect(() => createAuthenticator({ publicKey: "not a pem" }, false)).toThrow(/PEM/);
    expect(() => createAuthenticator({ publicKey: "" }, false)).toThrow(/non-empty/);
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const pkcs8 = await exportPKCS8(privateKey);
    expect(() => createAuthenticator({ publicKey: pkcs8 }, false)).toThrow(/private key/);
    const spki = await exportSPKI(publicKey);
    expect(() => createAuthenticator({ publicKey: spki, algorithms: ["RS256"] }, false)).toThrow(
      /none of the algorithms/,
    );
    expect(() => createAuthenticator({ jwksUrl: "ftp://keys.example/" }, false)).toThrow(/http/);
  });
});

describe("channelsClaimAllows", () => {
  const claims = { sub: "ada", channels: ["job:*", "sim:42", "report:q*3"] };

  it("matches exact names", () => {
    expect(channelsClaimAllows(claims, "sim:42")).toBe(true);
    expect(channelsClaimAllows(claims, "sim:43")).toBe(false);
    expect(channelsClaimAllows(claims, "sim:420")).toBe(false);
  });

  it("matches prefixes of patterns ending in *", () => {
    expect(channelsClaimAllows(claims, "job:7f3a")).toBe(true);
    expect(channelsClaimAllows(claims, "job:")).toBe(true);
    expect(channelsClaimAllows(claims, "jobs:1")).toBe(false);
    expect(channelsClaimAllows(claims, "settings:physics")).toBe(false);
  });

  it("treats a * that is not last as an ordinary character", () => {
    expect(channelsClaimAllows(claims, "report:q*3")).toBe(true);
    expect(channelsClaimAllows(claims, "report:q13")).toBe(false);
  });

  it("never lets a pattern without $ reach a personal channel", () => {
    const everything = { channels: ["*"] };
    expect(channelsClaimAllows(everything, "equipment")).toBe(true);
    expect(channelsClaimAllows(everything, "$user:bob")).toBe(false);
    expect(channelsClaimAllows({ channels: ["$user:ada"] }, "$user:ada")).toBe(true);
    expect(channelsClaimAllows({ channels: ["$user:*"] }, "$user:bob")).toBe(true);
  });

  it("allows nothing without a claim or with a malformed one", () => {
    expect(channelsClaimAllows({ sub: "ada" }, "job:1")).toBe(false);
    expect(channelsClaimAllows({ channels: "job:*" }, "job:1")).toBe(false);
    expect(channelsClaimAllows({ channels: ["job:*", 42] }, "job:1")).toBe(false);
    expect(channelsClaimAllows({ channels: { 0: "job:*" } }, "job:1")).toBe(false);
  });
});
